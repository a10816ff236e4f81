"""The password rule, one for the web forms, the command line and the demo (OWASP ASVS 5.0, V6.2).

At least 8 characters (and at most 256, so a request body stays sane); no composition rules
(no "one digit, one capital": they make passwords harder to remember, not to guess); refused when
it is one of the 100,000 most common passwords or contains the username. The list ships in the
repository (`tracker/data/common-passwords.txt.gz`, see tracker/data/README.md): an office
intranet has no internet to ask a breach service.
"""

from __future__ import annotations

import gzip
import unicodedata
from functools import cache
from pathlib import Path

from flask_babel import gettext as _

PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 256  # Argon2 takes any length; this only stops absurd request bodies
COMMON_PASSWORDS_PATH = Path(__file__).resolve().parents[2] / "data" / "common-passwords.txt.gz"


def _key(text: str) -> str:
    """Compared case-insensitively: `Password1` is as common as `password1`."""
    return unicodedata.normalize("NFKC", text).casefold()


@cache
def common_passwords() -> frozenset[str]:
    """The bundled list, folded, keeping only entries long enough to pass the length rule (about
    39,000 of the 100,000; a few MB per worker, read once on first use)."""
    with gzip.open(COMMON_PASSWORDS_PATH, "rt", encoding="utf-8") as lines:
        keys = (_key(line.rstrip("\r\n")) for line in lines)
        return frozenset(key for key in keys if len(key) >= PASSWORD_MIN_LENGTH)


def weakness(password: str, username: str) -> str | None:
    """Why `password` may not be chosen by the account `username` (in the request's language),
    or None when it may."""
    if len(password) < PASSWORD_MIN_LENGTH:
        return _("Kata sandi minimal %(n)d karakter.", n=PASSWORD_MIN_LENGTH)
    if len(password) > PASSWORD_MAX_LENGTH:
        return _("Kata sandi maksimal %(n)d karakter.", n=PASSWORD_MAX_LENGTH)
    if not password.strip():
        return _("Kata sandi tidak boleh hanya berisi spasi.")
    key = _key(password)
    if key in common_passwords():
        return _(
            "Kata sandi ini termasuk kata sandi yang paling umum dipakai dan mudah ditebak. "
            "Pilih yang lain, mis. beberapa kata yang hanya Anda ketahui."
        )
    name = _key(username.strip())
    if name and name in key:
        return _("Kata sandi tidak boleh memuat nama pengguna.")
    return None
