"""measurement verification: a manual value is submitted, verified or rejected

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-02

A value a petugas enters is submitted ("diajukan") and counts only once an admin or kabid verifies
it (DESIGN.md §4). The boolean `verified` becomes `status`, and who verified or rejected a value,
when, and why it was rejected are kept beside who entered it (`recorded_by_id`, `recorded_at`).

Existing rows keep their meaning: a verified row stays verified, reviewed by whoever entered it
(until now whoever entered a value also verified it), and an unverified one becomes submitted.
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

FK_REVIEWER = "fk_measurement_reviewed_by_id_user_account"

measurement = sa.table(
    "measurement",
    sa.column("verified", sa.Boolean),
    sa.column("status", sa.String),
    sa.column("recorded_by_id", sa.Integer),
    sa.column("recorded_at", sa.DateTime),
    sa.column("reviewed_by_id", sa.Integer),
    sa.column("reviewed_at", sa.DateTime),
)


def upgrade():
    with op.batch_alter_table("measurement", schema=None) as batch_op:
        batch_op.add_column(sa.Column("status", sa.String(length=10), nullable=True))
        batch_op.add_column(sa.Column("reviewed_by_id", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("reviewed_at", sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column("reject_reason", sa.Text(), nullable=True))
        batch_op.create_foreign_key(
            op.f(FK_REVIEWER), "user_account", ["reviewed_by_id"], ["id"], ondelete="SET NULL"
        )
    verified = measurement.c.verified.is_(sa.true())
    op.execute(
        measurement.update().values(
            status=sa.case((verified, "verified"), else_="submitted"),
            reviewed_by_id=sa.case((verified, measurement.c.recorded_by_id), else_=None),
            reviewed_at=sa.case((verified, measurement.c.recorded_at), else_=None),
        )
    )
    with op.batch_alter_table("measurement", schema=None) as batch_op:
        batch_op.alter_column("status", existing_type=sa.String(length=10), nullable=False)
        batch_op.drop_column("verified")


def downgrade():
    with op.batch_alter_table("measurement", schema=None) as batch_op:
        batch_op.add_column(sa.Column("verified", sa.Boolean(), nullable=True))
    op.execute(measurement.update().values(verified=measurement.c.status == "verified"))
    with op.batch_alter_table("measurement", schema=None) as batch_op:
        batch_op.alter_column("verified", existing_type=sa.Boolean(), nullable=False)
        batch_op.drop_constraint(op.f(FK_REVIEWER), type_="foreignkey")
        batch_op.drop_column("reject_reason")
        batch_op.drop_column("reviewed_at")
        batch_op.drop_column("reviewed_by_id")
        batch_op.drop_column("status")
