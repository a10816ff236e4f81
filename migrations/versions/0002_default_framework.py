"""default assessment framework v1 (DESIGN.md section 4), present after `flask db upgrade`

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-23

The definition is read from the shipped data file and validated by the pure scoring layer, then
inserted with the migration's own connection (not the app session, which would wait on the lock
this migration holds on SQLite). Nothing is inserted when any framework exists already.
"""

import sqlalchemy as sa
from alembic import op

from tracker.models.base import utcnow
from tracker.scoring.framework import default_definition, load_framework

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

framework = sa.table(
    "framework",
    sa.column("version", sa.Integer),
    sa.column("name", sa.String),
    sa.column("description", sa.Text),
    sa.column("state", sa.String),
    sa.column("definition", sa.JSON),
    sa.column("created_at", sa.DateTime),
    sa.column("activated_at", sa.DateTime),
)


def upgrade():
    bind = op.get_bind()
    if bind.execute(sa.select(sa.func.count()).select_from(framework)).scalar():
        return
    definition = default_definition()
    parsed = load_framework(definition)
    now = utcnow()
    op.bulk_insert(
        framework,
        [
            {
                "version": 1,
                "name": parsed.name,
                "description": parsed.description,
                "state": "active",
                "definition": definition,
                "created_at": now,
                "activated_at": now,
            }
        ],
    )


def downgrade():
    op.execute(framework.delete().where(framework.c.version == 1))
