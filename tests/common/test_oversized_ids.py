"""Review (R1): numbers in a URL that no id column can hold are 'not found' / ignored, not a 500.

Before the fix, an id beyond 64 bits in a path (/kim/<int:kim_id>) reached SQLite, which cannot
bind it (OverflowError, a 500 there while PostgreSQL answered 404); the audit log's user filter
did the same with `?user=`, and `?until=9999-12-31` overflowed the date arithmetic.
"""

from __future__ import annotations

import pytest

from tracker.extensions import db
from tracker.services.common import audit_writer

HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    "url",
    [
        f"/kim/{HUGE}",
        f"/kim/{HUGE}/ubah",
        f"/admin/pengguna/{HUGE}/ubah",
        f"/admin/pengguna/{HUGE}/kata-sandi",
        "/kim/2147483648",
    ],
)
def test_an_id_too_large_for_the_database_is_not_found(login_as, client, url: str) -> None:
    login_as("admin")
    assert client.get(url).status_code == 404


def test_post_to_an_id_too_large_is_not_found(login_as, client) -> None:
    login_as("admin")
    assert client.post(f"/kim/{HUGE}/nonaktifkan").status_code == 404


def test_audit_filter_on_a_huge_user_id_shows_nothing(login_as, client) -> None:
    user = login_as("admin")
    audit_writer.record("kim.update", "kim", 1, user, params={"name": "Contoh Sejahtera"})
    db.session.commit()
    response = client.get(f"/admin/audit/?user={HUGE}")
    assert response.status_code == 200
    assert "Mengubah KIM Contoh Sejahtera" not in response.get_data(as_text=True)


def test_audit_filter_until_the_last_representable_day(login_as, client) -> None:
    user = login_as("admin")
    audit_writer.record("kim.update", "kim", 1, user, params={"name": "Contoh Sejahtera"})
    db.session.commit()
    response = client.get("/admin/audit/?until=9999-12-31")
    assert response.status_code == 200
    assert "Mengubah KIM Contoh Sejahtera" in response.get_data(as_text=True)


def test_audit_filter_on_a_superscript_digit_is_ignored(login_as, client) -> None:
    """'²'.isdigit() is true but int('²') fails: it was a 500."""
    login_as("admin")
    assert client.get("/admin/audit/?user=%C2%B2").status_code == 200


def test_kim_edit_with_a_superscript_version_is_refused_as_stale(login_as, client, regions) -> None:
    from tests import factories
    from tests.registry.test_kim_registry import edit_data

    login_as("admin")
    kim = factories.kim(regions.desa_a1, name="KIM Versi")
    response = client.post(f"/kim/{kim.id}/ubah", data=edit_data(kim, version="²", chair="Baru"))
    assert response.status_code == 409
