"""harvest: where each post came from, and the activity harvest's state per KIM

`content_post.source` tells a post read from the KIM's own website by the activity harvest
("harvest") from one imported or entered ("import", every existing row). `harvest_state` keeps,
per KIM, the source the harvest found (feed, WordPress REST API or sitemap), its ETag and
Last-Modified for the next conditional GET, and how the last run ended (docs/harvest.md).

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-01
"""

from alembic import op
import sqlalchemy as sa


revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("content_post", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("source", sa.String(length=10), server_default="import", nullable=False)
        )
    op.create_table(
        "harvest_state",
        sa.Column("kim_id", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("source_kind", sa.String(length=10), nullable=True),
        sa.Column("source_url", sa.String(length=500), nullable=True),
        sa.Column("etag", sa.String(length=200), nullable=True),
        sa.Column("last_modified", sa.String(length=64), nullable=True),
        sa.Column("last_run_at", sa.DateTime(), nullable=True),
        sa.Column("last_success_at", sa.DateTime(), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=True),
        sa.Column("found", sa.Integer(), nullable=False),
        sa.Column("new", sa.Integer(), nullable=False),
        sa.Column("error_code", sa.String(length=20), nullable=True),
        sa.Column("error_detail", sa.String(length=500), nullable=True),
        sa.ForeignKeyConstraint(
            ["kim_id"],
            ["kim.id"],
            name=op.f("fk_harvest_state_kim_id_kim"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("kim_id", name=op.f("pk_harvest_state")),
    )
    with op.batch_alter_table("harvest_state", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_harvest_state_last_run_at"), ["last_run_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("harvest_state", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_harvest_state_last_run_at"))
    op.drop_table("harvest_state")
    with op.batch_alter_table("content_post", schema=None) as batch_op:
        batch_op.drop_column("source")
