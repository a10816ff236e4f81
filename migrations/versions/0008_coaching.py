"""coaching: topics, sessions, invited KIMs, attendance, participants, materials; topic catalogue

Topics with the indicators they improve; sessions with their topics, invited KIMs, attendance per
KIM, participants (people without accounts) and materials. The shipped topic catalogue goes into
an empty topic table.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02

The catalogue is read from tracker/data/topics-v1.json (as 0002 reads the default framework) and
inserted with the migration's own connection; nothing is inserted when any topic exists already.
"""

import json
from pathlib import Path

import sqlalchemy as sa
from alembic import op

from tracker.models.base import utcnow
from tracker.text import fold

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

TOPICS_FILE = Path(__file__).resolve().parents[2] / "tracker" / "data" / "topics-v1.json"


def _seed_topics(topic, topic_indicator):
    bind = op.get_bind()
    if bind.execute(sa.select(sa.func.count()).select_from(topic)).scalar():
        return
    now = utcnow()
    entries = json.loads(TOPICS_FILE.read_text(encoding="utf-8"))["topics"]
    for entry in entries:
        name = " ".join(entry["name"].split())
        topic_id = bind.execute(
            topic.insert()
            .values(
                name=name,
                name_key=fold(name),
                description=entry.get("description"),
                created_at=now,
                updated_at=now,
            )
            .returning(topic.c.id)
        ).scalar_one()
        bind.execute(
            topic_indicator.insert(),
            [{"topic_id": topic_id, "indicator_code": code} for code in entry["indicators"]],
        )


def upgrade():
    topic = op.create_table(
        "topic",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=150), nullable=False),
        sa.Column("name_key", sa.String(length=150), nullable=False),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_topic")),
        sa.UniqueConstraint("name_key", name=op.f("uq_topic_name_key")),
    )
    op.create_table(
        "coaching_session",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("title_key", sa.String(length=200), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=False),
        sa.Column("location", sa.String(length=200), nullable=True),
        sa.Column("organiser", sa.String(length=200), nullable=True),
        sa.Column("speakers", sa.Text(), nullable=True),
        sa.Column("jp", sa.Integer(), nullable=True),
        sa.Column("notes", sa.Text(), nullable=True),
        sa.Column("region_code", sa.String(length=13), nullable=False),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["created_by_id"],
            ["user_account.id"],
            name=op.f("fk_coaching_session_created_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["region_code"],
            ["region.code"],
            name=op.f("fk_coaching_session_region_code_region"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coaching_session")),
    )
    with op.batch_alter_table("coaching_session", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_coaching_session_region_code"), ["region_code"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_coaching_session_start_date"), ["start_date"], unique=False
        )
        batch_op.create_index(
            "ix_coaching_session_title_key_start_date", ["title_key", "start_date"], unique=False
        )

    topic_indicator = op.create_table(
        "topic_indicator",
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.Column("indicator_code", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["topic.id"],
            name=op.f("fk_topic_indicator_topic_id_topic"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("topic_id", "indicator_code", name=op.f("pk_topic_indicator")),
    )
    with op.batch_alter_table("topic_indicator", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_topic_indicator_indicator_code"), ["indicator_code"], unique=False
        )

    op.create_table(
        "coaching_attendance",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("kim_id", sa.Integer(), nullable=False),
        sa.Column("participant_count", sa.Integer(), nullable=False),
        sa.Column("recorded_by_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["kim_id"],
            ["kim.id"],
            name=op.f("fk_coaching_attendance_kim_id_kim"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_id"],
            ["user_account.id"],
            name=op.f("fk_coaching_attendance_recorded_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["coaching_session.id"],
            name=op.f("fk_coaching_attendance_session_id_coaching_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coaching_attendance")),
        sa.UniqueConstraint(
            "session_id", "kim_id", name=op.f("uq_coaching_attendance_session_id_kim_id")
        ),
    )
    with op.batch_alter_table("coaching_attendance", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_coaching_attendance_kim_id"), ["kim_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_coaching_attendance_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "coaching_invitation",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("kim_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["kim_id"],
            ["kim.id"],
            name=op.f("fk_coaching_invitation_kim_id_kim"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["coaching_session.id"],
            name=op.f("fk_coaching_invitation_session_id_coaching_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", "kim_id", name=op.f("pk_coaching_invitation")),
    )
    with op.batch_alter_table("coaching_invitation", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_coaching_invitation_kim_id"), ["kim_id"], unique=False)

    op.create_table(
        "coaching_material",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("filename", sa.String(length=255), nullable=False),
        sa.Column("content_type", sa.String(length=100), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("stored_path", sa.String(length=255), nullable=False),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["coaching_session.id"],
            name=op.f("fk_coaching_material_session_id_coaching_session"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"],
            ["user_account.id"],
            name=op.f("fk_coaching_material_uploaded_by_id_user_account"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coaching_material")),
    )
    with op.batch_alter_table("coaching_material", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_coaching_material_session_id"), ["session_id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_coaching_material_sha256"), ["sha256"], unique=False)

    op.create_table(
        "coaching_participant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("kim_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("position", sa.String(length=120), nullable=True),
        sa.Column("affiliation", sa.String(length=150), nullable=True),
        sa.ForeignKeyConstraint(
            ["kim_id"],
            ["kim.id"],
            name=op.f("fk_coaching_participant_kim_id_kim"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["coaching_session.id"],
            name=op.f("fk_coaching_participant_session_id_coaching_session"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_coaching_participant")),
    )
    with op.batch_alter_table("coaching_participant", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_coaching_participant_kim_id"), ["kim_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_coaching_participant_session_id"), ["session_id"], unique=False
        )

    op.create_table(
        "coaching_session_topic",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("topic_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["coaching_session.id"],
            name=op.f("fk_coaching_session_topic_session_id_coaching_session"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["topic_id"],
            ["topic.id"],
            name=op.f("fk_coaching_session_topic_topic_id_topic"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("session_id", "topic_id", name=op.f("pk_coaching_session_topic")),
    )
    with op.batch_alter_table("coaching_session_topic", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_coaching_session_topic_topic_id"), ["topic_id"], unique=False
        )

    _seed_topics(topic, topic_indicator)


def downgrade():
    with op.batch_alter_table("coaching_session_topic", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coaching_session_topic_topic_id"))

    op.drop_table("coaching_session_topic")
    with op.batch_alter_table("coaching_participant", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coaching_participant_session_id"))
        batch_op.drop_index(batch_op.f("ix_coaching_participant_kim_id"))

    op.drop_table("coaching_participant")
    with op.batch_alter_table("coaching_material", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coaching_material_sha256"))
        batch_op.drop_index(batch_op.f("ix_coaching_material_session_id"))

    op.drop_table("coaching_material")
    with op.batch_alter_table("coaching_invitation", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coaching_invitation_kim_id"))

    op.drop_table("coaching_invitation")
    with op.batch_alter_table("coaching_attendance", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_coaching_attendance_session_id"))
        batch_op.drop_index(batch_op.f("ix_coaching_attendance_kim_id"))

    op.drop_table("coaching_attendance")
    with op.batch_alter_table("topic_indicator", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_topic_indicator_indicator_code"))

    op.drop_table("topic_indicator")
    with op.batch_alter_table("coaching_session", schema=None) as batch_op:
        batch_op.drop_index("ix_coaching_session_title_key_start_date")
        batch_op.drop_index(batch_op.f("ix_coaching_session_start_date"))
        batch_op.drop_index(batch_op.f("ix_coaching_session_region_code"))

    op.drop_table("coaching_session")
    op.drop_table("topic")
