"""Migration 0007: the coaching tables, with the shipped topic catalogue in them after
`flask db upgrade`, and gone again on downgrade."""

from __future__ import annotations

from collections.abc import Callable

import flask_migrate
from flask import Flask
from sqlalchemy import inspect, select

from tracker.extensions import db
from tracker.models import Topic, TopicIndicator


def test_upgrade_brings_the_catalogue_and_downgrade_removes_the_tables(
    migratable_app: Callable[[str], Flask],
) -> None:
    app = migratable_app("baru.sqlite3")
    with app.app_context():
        try:
            flask_migrate.upgrade(revision="0008")
            names = list(db.session.scalars(select(Topic.name).order_by(Topic.id)))
            assert names[0] == "Menulis berita" and len(names) == 10
            links = db.session.execute(
                select(Topic.name, TopicIndicator.indicator_code)
                .join(TopicIndicator)
                .where(Topic.name == "Desain grafis")
                .order_by(TopicIndicator.indicator_code)
            ).all()
            assert [code for _name, code in links] == ["M2", "W3"]
            db.session.remove()
            flask_migrate.downgrade(revision="0007")
            tables = set(inspect(db.engine).get_table_names())
            assert not {"topic", "coaching_session", "coaching_attendance"} & tables
        finally:
            db.session.remove()
            db.engine.dispose()
