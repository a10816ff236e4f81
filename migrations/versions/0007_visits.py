"""visits: monitoring visits with per-KIM findings, team and photos; follow-ups

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01

New tables only (issue 14, points 5 and 6): monitoring_visit (one visit of a team to one
kecamatan, with the idempotency key of the form that made it, unique), monitoring_visit_member
(team members with an account), visit_finding (one per KIM seen), visit_photo (re-encoded photos
stored by content hash under the photo folder) and follow_up (a recommendation for one KIM with
owner, due date, status and closing evidence; the index on (due_on, status, kim_id) serves P2).

"""

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "monitoring_visit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kecamatan_code", sa.String(length=13), nullable=False),
        sa.Column("started_on", sa.Date(), nullable=False),
        sa.Column("ended_on", sa.Date(), nullable=False),
        sa.Column("team_names", sa.Text(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("gps_lat", sa.Float(), nullable=True),
        sa.Column("gps_lon", sa.Float(), nullable=True),
        sa.Column("gps_accuracy", sa.Float(), nullable=True),
        sa.Column("idempotency_key", sa.String(length=64), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_monitoring_visit_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["kecamatan_code"],
            ["region.code"],
            name=op.f("fk_monitoring_visit_kecamatan_code_region"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_monitoring_visit")),
        sa.UniqueConstraint("idempotency_key", name=op.f("uq_monitoring_visit_idempotency_key")),
    )
    with op.batch_alter_table("monitoring_visit", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_monitoring_visit_kecamatan_code"), ["kecamatan_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_monitoring_visit_started_on"), ["started_on"], unique=False
        )

    op.create_table(
        "monitoring_visit_member",
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_monitoring_visit_member_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["monitoring_visit.id"],
            name=op.f("fk_monitoring_visit_member_visit_id_monitoring_visit"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("visit_id", "user_id", name=op.f("pk_monitoring_visit_member")),
    )
    with op.batch_alter_table("monitoring_visit_member", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_monitoring_visit_member_user_id"), ["user_id"], unique=False
        )

    op.create_table(
        "visit_finding",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=False),
        sa.Column("kim_id", sa.Integer(), nullable=False),
        sa.Column("uploads_seen", sa.Integer(), nullable=True),
        sa.Column("consistency_pct", sa.Float(), nullable=True),
        sa.Column("problems", sa.JSON(), nullable=False),
        sa.Column("problem_notes", sa.Text(), nullable=True),
        sa.Column("rating", sa.String(length=20), nullable=True),
        sa.Column("recommendation", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["kim_id"], ["kim.id"], name=op.f("fk_visit_finding_kim_id_kim"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["monitoring_visit.id"],
            name=op.f("fk_visit_finding_visit_id_monitoring_visit"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_finding")),
        sa.UniqueConstraint("visit_id", "kim_id", name=op.f("uq_visit_finding_visit_id_kim_id")),
    )
    with op.batch_alter_table("visit_finding", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_visit_finding_kim_id"), ["kim_id"], unique=False)

    op.create_table(
        "visit_photo",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=True),
        sa.Column("kim_id", sa.Integer(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("path", sa.String(length=200), nullable=False),
        sa.Column("thumb_path", sa.String(length=200), nullable=False),
        sa.Column("content_type", sa.String(length=20), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("original_name", sa.String(length=200), nullable=True),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["kim_id"], ["kim.id"], name=op.f("fk_visit_photo_kim_id_kim"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["user_account.id"],
            name=op.f("fk_visit_photo_uploaded_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["monitoring_visit.id"],
            name=op.f("fk_visit_photo_visit_id_monitoring_visit"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_visit_photo")),
    )
    with op.batch_alter_table("visit_photo", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_visit_photo_kim_id"), ["kim_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_visit_photo_sha256"), ["sha256"], unique=False)
        batch_op.create_index(batch_op.f("ix_visit_photo_visit_id"), ["visit_id"], unique=False)

    op.create_table(
        "follow_up",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kim_id", sa.Integer(), nullable=False),
        sa.Column("visit_id", sa.Integer(), nullable=True),
        sa.Column("recommendation", sa.Text(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=True),
        sa.Column("evidence_photo_id", sa.Integer(), nullable=True),
        sa.Column("closed_on", sa.Date(), nullable=True),
        sa.Column("closed_at", sa.DateTime(), nullable=True),
        sa.Column("closed_by_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["closed_by_id"],
            ["user_account.id"],
            name=op.f("fk_follow_up_closed_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_follow_up_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["evidence_photo_id"],
            ["visit_photo.id"],
            name=op.f("fk_follow_up_evidence_photo_id_visit_photo"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["kim_id"], ["kim.id"], name=op.f("fk_follow_up_kim_id_kim"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["user_account.id"],
            name=op.f("fk_follow_up_owner_id_user_account"),
            ondelete="RESTRICT",
        ),
        sa.ForeignKeyConstraint(
            ["visit_id"],
            ["monitoring_visit.id"],
            name=op.f("fk_follow_up_visit_id_monitoring_visit"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_up")),
    )
    with op.batch_alter_table("follow_up", schema=None) as batch_op:
        batch_op.create_index(
            "ix_follow_up_due_status_kim", ["due_on", "status", "kim_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_follow_up_kim_id"), ["kim_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_follow_up_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_follow_up_status"), ["status"], unique=False)
        batch_op.create_index(batch_op.f("ix_follow_up_visit_id"), ["visit_id"], unique=False)


def downgrade():
    with op.batch_alter_table("follow_up", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_follow_up_visit_id"))
        batch_op.drop_index(batch_op.f("ix_follow_up_status"))
        batch_op.drop_index(batch_op.f("ix_follow_up_owner_id"))
        batch_op.drop_index(batch_op.f("ix_follow_up_kim_id"))
        batch_op.drop_index("ix_follow_up_due_status_kim")

    op.drop_table("follow_up")
    with op.batch_alter_table("visit_photo", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visit_photo_visit_id"))
        batch_op.drop_index(batch_op.f("ix_visit_photo_sha256"))
        batch_op.drop_index(batch_op.f("ix_visit_photo_kim_id"))

    op.drop_table("visit_photo")
    with op.batch_alter_table("visit_finding", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_visit_finding_kim_id"))

    op.drop_table("visit_finding")
    with op.batch_alter_table("monitoring_visit_member", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_monitoring_visit_member_user_id"))

    op.drop_table("monitoring_visit_member")
    with op.batch_alter_table("monitoring_visit", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_monitoring_visit_started_on"))
        batch_op.drop_index(batch_op.f("ix_monitoring_visit_kecamatan_code"))

    op.drop_table("monitoring_visit")
