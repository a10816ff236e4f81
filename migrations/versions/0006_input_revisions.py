"""input revisions: a change counter per (period, KIM), and the one each assessment was read at

Every change to a KIM's assessment inputs of a period bumps its counter; an assessment whose
counter moved since is stale (tracker/services/common/input_changes.py).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02

Assessments stored before this migration get inputs_revision 0, the value of a counter that was
never bumped: they count as fresh until the first change after the upgrade.
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "input_revision",
        sa.Column("period_id", sa.Integer(), nullable=False),
        sa.Column("kim_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["kim_id"], ["kim.id"], name=op.f("fk_input_revision_kim_id_kim"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["period_id"],
            ["period.id"],
            name=op.f("fk_input_revision_period_id_period"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("period_id", "kim_id", name=op.f("pk_input_revision")),
    )
    with op.batch_alter_table("input_revision", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_input_revision_kim_id"), ["kim_id"], unique=False)
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("inputs_revision", sa.Integer(), server_default="0", nullable=False)
        )


def downgrade():
    with op.batch_alter_table("assessment", schema=None) as batch_op:
        batch_op.drop_column("inputs_revision")
    with op.batch_alter_table("input_revision", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_input_revision_kim_id"))
    op.drop_table("input_revision")
