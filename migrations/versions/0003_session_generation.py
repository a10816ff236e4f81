"""session generation on every account; login throttling per address

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24

`user_account.session_generation`: logout, a password change or reset and deactivation raise it,
ending every session opened before. `login_address`: the addresses an account signed in from,
which pass the per-account back-off. `login_failure.remote_addr` is indexed for the per-address
count. Sessions opened before this migration carry no generation and end once (sign in again).
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("session_generation", sa.Integer(), server_default="0", nullable=False)
        )
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_login_failure_remote_addr"), ["remote_addr"], unique=False
        )
    op.create_table(
        "login_address",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("remote_addr", sa.String(length=45), nullable=False),
        sa.Column("last_success_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["user_account.id"],
            name=op.f("fk_login_address_user_id_user_account"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "remote_addr", name=op.f("pk_login_address")),
    )
    with op.batch_alter_table("login_address", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_login_address_last_success_at"), ["last_success_at"], unique=False
        )


def downgrade():
    with op.batch_alter_table("login_address", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_address_last_success_at"))
    op.drop_table("login_address")
    with op.batch_alter_table("login_failure", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_login_failure_remote_addr"))
    with op.batch_alter_table("user_account", schema=None) as batch_op:
        batch_op.drop_column("session_generation")
