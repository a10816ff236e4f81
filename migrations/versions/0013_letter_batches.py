"""letters: batches of evaluation letters and their items

A batch (tracker/services/letters/batch.py, docs/letters.md): the filter it was started with
(period, kecamatan, tier), its status and progress counts, the process running it and its ZIP and
combined PDF; one item per KIM with what became of it (issued with its letter, skipped, failed
with the reason).

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-01
"""

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = "0013"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "letter_batch",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("period_code", sa.String(length=10), nullable=False),
        sa.Column("kecamatan_code", sa.String(length=13), nullable=True),
        sa.Column("kecamatan_name", sa.String(length=120), nullable=False),
        sa.Column("tier", sa.String(length=12), nullable=False),
        sa.Column("region_code", sa.String(length=13), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("total", sa.Integer(), nullable=False),
        sa.Column("issued", sa.Integer(), nullable=False),
        sa.Column("skipped", sa.Integer(), nullable=False),
        sa.Column("failed", sa.Integer(), nullable=False),
        sa.Column("workers", sa.Integer(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("started_at", sa.DateTime(), nullable=True),
        sa.Column("finished_at", sa.DateTime(), nullable=True),
        sa.Column("runner_host", sa.String(length=100), nullable=False),
        sa.Column("runner_pid", sa.Integer(), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(), nullable=True),
        sa.Column("zip_path", sa.String(length=200), nullable=False),
        sa.Column("combined_path", sa.String(length=200), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_letter_batch_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["period_id"],
            ["period.id"],
            name=op.f("fk_letter_batch_period_id_period"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter_batch")),
    )
    with op.batch_alter_table("letter_batch", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_letter_batch_period_id"), ["period_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_letter_batch_region_code"), ["region_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_letter_batch_status"), ["status"], unique=False)

    op.create_table(
        "letter_batch_item",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("batch_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("kim_id", sa.Integer(), nullable=False),
        sa.Column("kim_name", sa.String(length=150), nullable=False),
        sa.Column("desa_name", sa.String(length=120), nullable=False),
        sa.Column("kecamatan_name", sa.String(length=120), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("letter_id", sa.Integer(), nullable=True),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["batch_id"],
            ["letter_batch.id"],
            name=op.f("fk_letter_batch_item_batch_id_letter_batch"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["kim_id"],
            ["kim.id"],
            name=op.f("fk_letter_batch_item_kim_id_kim"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["letter_id"],
            ["letter.id"],
            name=op.f("fk_letter_batch_item_letter_id_letter"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter_batch_item")),
        sa.UniqueConstraint(
            "batch_id", "kim_id", name=op.f("uq_letter_batch_item_batch_id_kim_id")
        ),
    )
    with op.batch_alter_table("letter_batch_item", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_letter_batch_item_batch_id"), ["batch_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_letter_batch_item_kim_id"), ["kim_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_letter_batch_item_status"), ["status"], unique=False)


def downgrade():
    with op.batch_alter_table("letter_batch_item", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_letter_batch_item_status"))
        batch_op.drop_index(batch_op.f("ix_letter_batch_item_kim_id"))
        batch_op.drop_index(batch_op.f("ix_letter_batch_item_batch_id"))

    op.drop_table("letter_batch_item")
    with op.batch_alter_table("letter_batch", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_letter_batch_status"))
        batch_op.drop_index(batch_op.f("ix_letter_batch_region_code"))
        batch_op.drop_index(batch_op.f("ix_letter_batch_period_id"))

    op.drop_table("letter_batch")
