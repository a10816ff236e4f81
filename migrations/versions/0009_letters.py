"""letters: office settings, the yearly number sequence, the letter register, verification hits

Evaluation letters (tracker/services/letters, docs/letters.md): the one row of office settings
(letterhead, signatory, numbering), one sequence row per year, every letter issued with its frozen
content and archived PDF's SHA-256, and the public verification page's rate counter.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-01

Revises 0006 for now: 0007 and 0008 are written in parallel, and the chain is re-linked when they
are merged.
"""

from alembic import op
import sqlalchemy as sa


revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "letter_sequence",
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last_number", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("year", name=op.f("pk_letter_sequence")),
    )
    op.create_table(
        "office_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("government", sa.String(length=150), nullable=False),
        sa.Column("agency", sa.String(length=150), nullable=False),
        sa.Column("address", sa.String(length=250), nullable=False),
        sa.Column("phone", sa.String(length=60), nullable=False),
        sa.Column("website", sa.String(length=150), nullable=False),
        sa.Column("email", sa.String(length=150), nullable=False),
        sa.Column("place", sa.String(length=80), nullable=False),
        sa.Column("logo", sa.LargeBinary(), nullable=True),
        sa.Column("signatory_title", sa.String(length=150), nullable=False),
        sa.Column("signatory_name", sa.String(length=150), nullable=False),
        sa.Column("signatory_rank", sa.String(length=80), nullable=False),
        sa.Column("signatory_nip", sa.String(length=18), nullable=False),
        sa.Column("signatory_mode", sa.String(length=3), nullable=False),
        sa.Column("signatory_principal", sa.String(length=150), nullable=False),
        sa.Column("tembusan", sa.JSON(), nullable=False),
        sa.Column("number_template", sa.String(length=120), nullable=False),
        sa.Column("classification_code", sa.String(length=40), nullable=False),
        sa.Column("unit_code", sa.String(length=40), nullable=False),
        sa.Column("public_base_url", sa.String(length=200), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_office_settings")),
    )
    op.create_table(
        "verification_hit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("remote_addr", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_verification_hit")),
    )
    with op.batch_alter_table("verification_hit", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_verification_hit_at"), ["at"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_verification_hit_remote_addr"), ["remote_addr"], unique=False
        )

    op.create_table(
        "letter",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("number", sa.String(length=120), nullable=False),
        sa.Column("year", sa.Integer(), nullable=False),
        sa.Column("sequence", sa.Integer(), nullable=False),
        sa.Column("letter_date", sa.Date(), nullable=False),
        sa.Column("kim_id", sa.Integer(), nullable=True),
        sa.Column("period_id", sa.Integer(), nullable=True),
        sa.Column("region_code", sa.String(length=13), nullable=False),
        sa.Column("kecamatan_code", sa.String(length=13), nullable=True),
        sa.Column("kim_name", sa.String(length=150), nullable=False),
        sa.Column("kim_name_key", sa.String(length=150), nullable=False),
        sa.Column("desa_name", sa.String(length=120), nullable=False),
        sa.Column("kecamatan_name", sa.String(length=120), nullable=False),
        sa.Column("period_code", sa.String(length=10), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("tier", sa.String(length=12), nullable=False),
        sa.Column("signatory_name", sa.String(length=150), nullable=False),
        sa.Column("signatory_nip", sa.String(length=18), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("token", sa.String(length=64), nullable=False),
        sa.Column("pdf_path", sa.String(length=200), nullable=False),
        sa.Column("pdf_sha256", sa.String(length=64), nullable=False),
        sa.Column("pdf_size", sa.Integer(), nullable=False),
        sa.Column("signed", sa.Boolean(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("issued_at", sa.DateTime(), nullable=False),
        sa.Column("issued_by_id", sa.Integer(), nullable=True),
        sa.Column("revoked_at", sa.DateTime(), nullable=True),
        sa.Column("revoked_by_id", sa.Integer(), nullable=True),
        sa.Column("revoke_reason", sa.Text(), nullable=True),
        sa.Column("replaces_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["issued_by_id"],
            ["user_account.id"],
            name=op.f("fk_letter_issued_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["kim_id"], ["kim.id"], name=op.f("fk_letter_kim_id_kim"), ondelete="RESTRICT"
        ),
        sa.ForeignKeyConstraint(
            ["period_id"],
            ["period.id"],
            name=op.f("fk_letter_period_id_period"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["replaces_id"],
            ["letter.id"],
            name=op.f("fk_letter_replaces_id_letter"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["revoked_by_id"],
            ["user_account.id"],
            name=op.f("fk_letter_revoked_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_letter")),
        sa.UniqueConstraint("number", name=op.f("uq_letter_number")),
        sa.UniqueConstraint("token", name=op.f("uq_letter_token")),
        sa.UniqueConstraint("year", "sequence", name=op.f("uq_letter_year_sequence")),
    )
    with op.batch_alter_table("letter", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_letter_kecamatan_code"), ["kecamatan_code"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_letter_kim_id"), ["kim_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_letter_kim_name_key"), ["kim_name_key"], unique=False)
        batch_op.create_index(batch_op.f("ix_letter_letter_date"), ["letter_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_letter_period_id"), ["period_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_letter_region_code"), ["region_code"], unique=False)
        batch_op.create_index(batch_op.f("ix_letter_replaces_id"), ["replaces_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_letter_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_letter_year"), ["year"], unique=False)
        batch_op.create_index(
            "uq_letter_in_force",
            ["kim_id", "period_id", "kind"],
            unique=True,
            sqlite_where=sa.text("status = 'issued'"),
            postgresql_where=sa.text("status = 'issued'"),
        )


def downgrade():
    with op.batch_alter_table("letter", schema=None) as batch_op:
        batch_op.drop_index(
            "uq_letter_in_force",
            sqlite_where=sa.text("status = 'issued'"),
            postgresql_where=sa.text("status = 'issued'"),
        )
        batch_op.drop_index(batch_op.f("ix_letter_year"))
        batch_op.drop_index(batch_op.f("ix_letter_status"))
        batch_op.drop_index(batch_op.f("ix_letter_replaces_id"))
        batch_op.drop_index(batch_op.f("ix_letter_region_code"))
        batch_op.drop_index(batch_op.f("ix_letter_period_id"))
        batch_op.drop_index(batch_op.f("ix_letter_letter_date"))
        batch_op.drop_index(batch_op.f("ix_letter_kim_name_key"))
        batch_op.drop_index(batch_op.f("ix_letter_kim_id"))
        batch_op.drop_index(batch_op.f("ix_letter_kecamatan_code"))

    op.drop_table("letter")
    with op.batch_alter_table("verification_hit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_verification_hit_remote_addr"))
        batch_op.drop_index(batch_op.f("ix_verification_hit_at"))

    op.drop_table("verification_hit")
    op.drop_table("office_settings")
    op.drop_table("letter_sequence")
