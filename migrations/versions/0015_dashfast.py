"""dashfast: indexes for the home dashboard's figures

`ix_content_total_rank` indexes each KIM's total of posts (berita + galeri + pengumuman +
agenda, the expression Top Konten ranks on) and berita (the first tie-break): the dashboard's
first ten are read from its end, a handful of rows instead of every KIM.
`ix_measurement_period_status` finds a period's values waiting for review (the dashboard's
count) without reading its verified ones. `ix_content_total_last_posted_on` finds the KIMs that
posted lately (the dashboard's "no upload in 30 days" is the active KIMs less those).
`ix_assessment_period_tier` (period, framework, tier, KIM) counts every period's tiers in index
order, grouped without sorting. `ix_assessment_period_score` (period, framework, score, KIM)
gives the period overview's list in its default order (highest score first) from the index's end,
so its first page is read without sorting the period's results; `ix_assessment_period_computed`
finds when the period was last computed without reading its rows.

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-01
"""

from alembic import op
import sqlalchemy as sa


revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        "ix_content_total_rank",
        "content_total",
        [sa.text("(berita + galeri + pengumuman + agenda)"), "berita"],
        unique=False,
    )
    op.create_index(
        "ix_measurement_period_status", "measurement", ["period_id", "status"], unique=False
    )
    op.create_index(
        "ix_assessment_period_tier",
        "assessment",
        ["period_id", "framework_id", "tier", "kim_id"],
        unique=False,
    )
    op.create_index(
        "ix_assessment_period_score",
        "assessment",
        ["period_id", "framework_id", "score", "kim_id"],
        unique=False,
    )
    op.create_index(
        "ix_assessment_period_computed",
        "assessment",
        ["period_id", "framework_id", "computed_at"],
        unique=False,
    )
    op.create_index(
        op.f("ix_content_total_last_posted_on"), "content_total", ["last_posted_on"], unique=False
    )


def downgrade():
    op.drop_index("ix_assessment_period_computed", table_name="assessment")
    op.drop_index("ix_assessment_period_score", table_name="assessment")
    op.drop_index("ix_assessment_period_tier", table_name="assessment")
    op.drop_index(op.f("ix_content_total_last_posted_on"), table_name="content_total")
    op.drop_index("ix_measurement_period_status", table_name="measurement")
    op.drop_index("ix_content_total_rank", table_name="content_total")
