"""The forms of the pages as a browser sees them: every `<form method="post">` of a page with
its action and the values it would send as rendered (text as filled in, the selected option or
the first one, checked boxes), so the suite can send any form of the site without a table of
fields that goes stale when a form changes."""

from __future__ import annotations

from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import urlsplit

from flask.testing import FlaskClient

TEXT_TYPES = {"text", "search", "email", "url", "tel", ""}


@dataclass
class Field:
    name: str
    kind: str  # input type, "textarea" or "select"
    value: str
    options: list[str] = field(default_factory=list)
    multiple: bool = False
    required: bool = False
    checked: bool = False
    maxlength: int | None = None


@dataclass
class Form:
    page: str
    action: str  # the path it is sent to (the key of `harvest`)
    enctype: str
    fields: list[Field] = field(default_factory=list)
    target: str = ""  # the action as written, query string included

    @property
    def url(self) -> str:
        return self.target or self.action

    def data(self) -> dict[str, object]:
        """What the browser sends as the form stands (files left empty)."""
        out: dict[str, list[str]] = {}
        for f in self.fields:
            if f.kind in ("checkbox", "radio") and not f.checked:
                continue
            if f.kind in ("submit", "button", "file", "reset", "image"):
                continue
            if f.kind == "select" and not f.value and f.options and not f.multiple:
                out.setdefault(f.name, []).append(f.options[0])
                continue
            if f.kind == "select" and f.multiple and not f.value:
                continue
            out.setdefault(f.name, []).append(f.value)
        radios = {f.name for f in self.fields if f.kind == "radio"}
        for name in radios - set(out):  # no radio checked: the first choice
            out[name] = [next(f.value for f in self.fields if f.name == name)]
        return {k: v if len(v) > 1 else v[0] for k, v in out.items()}

    def text_fields(self) -> list[Field]:
        return [f for f in self.fields if f.kind in TEXT_TYPES or f.kind == "textarea"]


class _Parser(HTMLParser):
    def __init__(self, page: str) -> None:
        super().__init__(convert_charrefs=True)
        self.page = page
        self.forms: list[Form] = []
        self._form: Form | None = None
        self._select: Field | None = None
        self._option: str | None = None
        self._textarea: Field | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "form":
            if a.get("method", "get").lower() == "post":
                action = a.get("action") or self.page
                parts = urlsplit(action)
                target = parts.path + (f"?{parts.query}" if parts.query else "")
                self._form = Form(self.page, parts.path, a.get("enctype", ""), target=target)
                self.forms.append(self._form)
            return
        form = self._form
        if form is None or ("name" not in a and tag != "option"):
            return
        if tag == "input":
            form.fields.append(
                Field(
                    a["name"],
                    a.get("type", "text").lower(),
                    a.get("value", "on" if a.get("type") in ("checkbox", "radio") else ""),
                    required="required" in a,
                    checked="checked" in a,
                    maxlength=int(a["maxlength"]) if a.get("maxlength", "").isdigit() else None,
                )
            )
        elif tag == "textarea":
            self._textarea = Field(
                a["name"],
                "textarea",
                "",
                required="required" in a,
                maxlength=int(a["maxlength"]) if a.get("maxlength", "").isdigit() else None,
            )
            form.fields.append(self._textarea)
        elif tag == "select":
            self._select = Field(
                a["name"], "select", "", multiple="multiple" in a, required="required" in a
            )
            form.fields.append(self._select)
        elif tag == "option" and self._select is not None:
            value = a.get("value")
            self._option = value
            if value is not None:
                self._select.options.append(value)
                if "selected" in a:
                    self._select.value = value

    def handle_data(self, data: str) -> None:
        if self._textarea is not None:
            self._textarea.value += data
        if self._select is not None and self._option is None and "value" not in data:
            pass

    def handle_endtag(self, tag: str) -> None:
        if tag == "form":
            self._form = None
        elif tag == "textarea":
            if self._textarea is not None:
                self._textarea.value = self._textarea.value.removeprefix("\r").removeprefix("\n")
            self._textarea = None
        elif tag == "select":
            self._select = None
        elif tag == "option":
            self._option = None


def forms_of(html: str, page: str) -> list[Form]:
    parser = _Parser(page)
    parser.feed(html)
    return parser.forms


def harvest(client: FlaskClient, pages: list[str]) -> dict[str, Form]:
    """Every post form found on `pages`, by the path it is sent to (the first page showing it)."""
    found: dict[str, Form] = {}
    for page in pages:
        response = client.get(page)
        if response.status_code != 200 or "text/html" not in response.content_type:
            continue
        for form in forms_of(response.text, page):
            found.setdefault(form.action, form)
    return found
