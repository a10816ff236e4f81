"""Review: the import preview's confirmation forms, submitted as a browser sends them."""

from __future__ import annotations

from html.parser import HTMLParser

from werkzeug.datastructures import MultiDict

from tests.activity.test_activity_pages import POSTS, count, data, upload  # noqa: F401 - fixture
from tracker.models import ContentPost


class _Forms(HTMLParser):
    """Every POST form of a page: its action and its inputs' (name, value) in document order."""

    def __init__(self) -> None:
        super().__init__()
        self.forms: list[tuple[str, list[tuple[str, str]]]] = []
        self._current: list[tuple[str, str]] | None = None

    def handle_starttag(self, tag, attrs):
        attributes = dict(attrs)
        if tag == "form" and (attributes.get("method") or "").lower() == "post":
            self._current = []
            self.forms.append((attributes.get("action") or "", self._current))
        elif tag == "input" and self._current is not None and attributes.get("name"):
            self._current.append((attributes["name"], attributes.get("value") or ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._current = None


def _forms(html: str) -> list[tuple[str, list[tuple[str, str]]]]:
    parser = _Forms()
    parser.feed(html)
    return parser.forms


def test_import_valid_rows_only_button_writes_the_valid_rows(client, login_as, data):  # noqa: F811
    login_as("petugas", scope=["35.08.09"])
    content = POSTS + b"KIM-1;vlog;07/03/2025;x;\r\n"
    html = upload(client, "unggahan", content).get_data(as_text=True)
    assert "Impor 2 baris yang valid saja" in html
    confirm = [f for f in _forms(html) if f[0].endswith("/konfirmasi")]
    assert len(confirm) == 1
    action, inputs = confirm[0]
    done = client.post(action, data=MultiDict(inputs))
    assert done.status_code == 200, done.get_data(as_text=True)
    assert count(ContentPost) == 2
