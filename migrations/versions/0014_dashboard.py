"""dashboard: every KIM's posts counted once, and an index for the tier counts per period

`content_total` holds per KIM the number of posts of each type and the date of its latest post,
kept by the post writers in the same unit of work (tracker/services/activity/content_totals.py),
for Top Konten and the dashboard; filled here from the posts already stored.
`ix_assessment_period_kim` (period, framework, KIM, tier, score) answers the dashboard's tier
counts of every period and the movers' and transition matrix's look-ups of each KIM's earlier
result from the index alone.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-01
"""

from alembic import op
import sqlalchemy as sa


revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "content_total",
        sa.Column("kim_id", sa.Integer(), nullable=False),
        sa.Column("berita", sa.Integer(), nullable=False),
        sa.Column("galeri", sa.Integer(), nullable=False),
        sa.Column("pengumuman", sa.Integer(), nullable=False),
        sa.Column("agenda", sa.Integer(), nullable=False),
        sa.Column("last_posted_on", sa.Date(), nullable=True),
        sa.ForeignKeyConstraint(
            ["kim_id"], ["kim.id"], name=op.f("fk_content_total_kim_id_kim"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("kim_id", name=op.f("pk_content_total")),
    )
    op.execute(
        "INSERT INTO content_total (kim_id, berita, galeri, pengumuman, agenda, last_posted_on) "
        "SELECT kim_id, "
        "SUM(CASE WHEN type = 'berita' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN type = 'galeri' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN type = 'pengumuman' THEN 1 ELSE 0 END), "
        "SUM(CASE WHEN type = 'agenda' THEN 1 ELSE 0 END), "
        "MAX(posted_on) FROM content_post GROUP BY kim_id"
    )
    op.create_index(
        "ix_assessment_period_kim",
        "assessment",
        ["period_id", "framework_id", "kim_id", "tier", "score"],
        unique=False,
    )


def downgrade():
    op.drop_index("ix_assessment_period_kim", table_name="assessment")
    op.drop_table("content_total")
