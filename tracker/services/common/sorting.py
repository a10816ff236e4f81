"""The sort order of a sortable list, read the same way on every one: `?sort=name` ascending,
`?sort=-name` descending, anything else the list's default."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import ColumnElement


class SortKeys:
    """The keys a list may be sorted by, each with the column (or expression) it sorts on."""

    def __init__(
        self, columns: Mapping[str, Any], default: str, nulls_last: Iterable[str] = ()
    ) -> None:
        self.columns = dict(columns)
        self.default = default
        self.nulls_last = frozenset(nulls_last)  # keys whose empty values sort last both ways

    @staticmethod
    def _split(text: str) -> tuple[str, bool]:
        return (text[1:], True) if text.startswith("-") else (text, False)

    def normalized(self, text: str | None) -> str:
        """`text` when it names a key (with or without a leading '-'), else the default."""
        text = (text or "").strip()
        return text if self._split(text)[0] in self.columns else self.default

    def order_by(self, text: str | None) -> ColumnElement[Any]:
        """The ORDER BY term for `text` (normalized first)."""
        key, descending = self._split(self.normalized(text))
        column = self.columns[key]
        order = column.desc() if descending else column.asc()
        return order.nulls_last() if key in self.nulls_last else order
