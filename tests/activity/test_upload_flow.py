"""The upload store behind every import's preview → confirm: owner- and kind-bound, single use,
expiring, and safe against path tricks in the token."""

from __future__ import annotations

import io
import os
import time

import pytest

from tests import factories
from tracker.services.common import uploads


@pytest.fixture
def users(regions):
    return factories.user("petugas", username="satu"), factories.user("petugas", username="dua")


def test_only_the_owner_and_kind_load_it_and_claim_is_single_use(app, users, tmp_path):
    owner, other = users
    token = uploads.store(
        owner, "unggahan", "../../etc/berkas.csv", b"a;b\r\n", {"period": None}, base=tmp_path
    )
    stored = uploads.load(owner, token, "unggahan", base=tmp_path)
    assert (stored.path.read_bytes(), stored.filename, stored.options) == (
        b"a;b\r\n",
        "berkas.csv",
        {"period": None},
    )
    with pytest.raises(uploads.UploadMissingError):
        uploads.load(other, token, "unggahan", base=tmp_path)
    with pytest.raises(uploads.UploadMissingError):
        uploads.load(owner, token, "jumlah", base=tmp_path)
    with uploads.claim(owner, token, "unggahan", base=tmp_path) as claimed:
        assert claimed.path.read_bytes() == b"a;b\r\n"
        with (
            pytest.raises(uploads.UploadMissingError),
            uploads.claim(owner, token, "unggahan", base=tmp_path),
        ):
            pass  # a second confirmation while the first runs
    with (
        pytest.raises(uploads.UploadMissingError),
        uploads.claim(owner, token, "unggahan", base=tmp_path),
    ):
        pass
    assert list(tmp_path.iterdir()) == []


def test_a_claimed_upload_kept_or_failed_is_there_for_the_retry(app, users, tmp_path):
    owner = users[0]
    token = uploads.store(owner, "unggahan", "a.csv", b"a;b\r\n", base=tmp_path)
    with uploads.claim(owner, token, "unggahan", base=tmp_path) as claimed:
        claimed.keep()  # a refused import
    with pytest.raises(RuntimeError), uploads.claim(owner, token, "unggahan", base=tmp_path):
        raise RuntimeError("the import failed")
    with uploads.claim(owner, token, "unggahan", base=tmp_path) as claimed:
        assert claimed.path.read_bytes() == b"a;b\r\n"
    assert list(tmp_path.iterdir()) == []


def test_store_refuses_a_file_above_the_upload_limit(app, users, tmp_path):
    app.config["IMPORT_MAX_UPLOAD_MB"] = 1
    with pytest.raises(uploads.UploadTooLargeError, match="maksimal 1 MB"):
        uploads.store(
            users[0], "unggahan", "a.csv", io.BytesIO(b"x" * (1024 * 1024 + 1)), base=tmp_path
        )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("token", ["", "../../instance/x", "a" * 10, "abc/def" * 5])
def test_malformed_tokens_are_missing(app, users, token):
    with pytest.raises(uploads.UploadMissingError):
        uploads.load(users[0], token, "unggahan")


def test_old_uploads_expire_and_are_purged(app, users, tmp_path):
    owner = users[0]
    token = uploads.store(owner, "unggahan", "a.csv", b"x", base=tmp_path)
    old = time.time() - uploads.MAX_AGE_SECONDS - 10
    for path in tmp_path.iterdir():
        os.utime(path, (old, old))
    assert uploads.purge_expired(tmp_path) == 1
    assert list(tmp_path.iterdir()) == []
    with pytest.raises(uploads.UploadMissingError):
        uploads.load(owner, token, "unggahan", base=tmp_path)
