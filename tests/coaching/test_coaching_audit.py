"""Coaching entries in the audit log read under the forms' own labels."""

from __future__ import annotations

import pytest
from flask import Flask
from wtforms.fields.core import UnboundField

from tracker.services.common.audit_vocabulary import FIELDS
from tracker.web.coaching.sessions import SessionForm
from tracker.web.coaching.topics import TopicForm


def _label(field: UnboundField) -> str:
    return str(field.args[0] if field.args else field.kwargs["label"])


@pytest.mark.parametrize(
    ("entity", "form", "names"),
    [
        ("topic", TopicForm, {"name": "name", "description": "description", "indicators": "codes"}),
        (
            "coaching_session",
            SessionForm,
            {
                "title": "title",
                "start_date": "start_date",
                "end_date": "end_date",
                "location": "location",
                "organiser": "organiser",
                "speakers": "speakers",
                "jp": "jp",
                "notes": "notes",
                "topics": "topics",
                "invited": "kims",
            },
        ),
    ],
)
def test_a_field_reads_under_the_label_of_its_form(app: Flask, entity, form, names) -> None:
    with app.test_request_context():
        for key, attribute in names.items():
            assert FIELDS[entity][key].label == _label(getattr(form, attribute)), key
