"""The `angka` filter's short cut for small counts writes what Babel writes, in both locales."""

from __future__ import annotations

import pytest
from flask_babel import force_locale, format_decimal

from tracker.web.common.filters import angka


@pytest.mark.parametrize("locale", ["id", "en"])
def test_small_counts_read_as_babel_writes_them(app, locale):  # type: ignore[no-untyped-def]
    with app.test_request_context(), force_locale(locale):
        for value in (*range(0, 1001), 1234, 1_000_000, -1, -999):
            assert angka(value) == format_decimal(value, format="#,##0"), value
        assert angka(1234) == ("1.234" if locale == "id" else "1,234")
        assert angka(2.5) == ("2,5" if locale == "id" else "2.5")
        assert angka(None) == "—"
