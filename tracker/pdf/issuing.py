"""The archived file of a letter: rendered once, then signed when the office has a certificate.

`letter_file` is the one way a letter's PDF is made, whether one letter is issued in a web
request or a batch renders hundreds in worker processes. The worker side is here too:
`start_worker` (the pool's initializer: the logo and the signing key are handed over once per
process, and WeasyPrint with the shared stylesheet is loaded before the first letter) and
`render_job` (one letter in, its bytes or the reason it failed out; never raises, so one KIM's
failure is that KIM's alone). Plain data in, bytes out: no database, no Flask.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass

from tracker.pdf import letter as letter_module
from tracker.pdf import signature, styles
from tracker.pdf.letter import LetterData


@dataclass(frozen=True)
class SigningKey:
    """The office's PKCS#12 and what the signature says besides the reason."""

    pkcs12: bytes
    passphrase: bytes | None
    location: str
    name: str


def seal(rendered: letter_module.RenderedLetter, key: SigningKey | None, reason: str) -> bytes:
    """The rendered document as archived: signed over its signature block when `key` is given."""
    if key is None:
        return rendered.pdf
    return signature.sign_pdf(
        rendered.pdf,
        key.pkcs12,
        key.passphrase,
        rendered.signature_box,
        reason=reason,
        location=key.location,
        name=key.name,
    )


def letter_file(data: LetterData, logo: tuple[bytes, str] | None, key: SigningKey | None) -> bytes:
    """The evaluation letter's archived PDF (PDF/A-3b, signed when `key` is given)."""
    rendered = letter_module.render_letter(data, logo)
    return seal(rendered, key, f"Surat Hasil Evaluasi KIM nomor {data.number}")


# ----------------------------------------------------------------------------- worker processes


@dataclass(frozen=True)
class RenderJob:
    """One letter for a worker: `ref` is the caller's (a batch item's id)."""

    ref: int
    data: LetterData


@dataclass(frozen=True)
class RenderOutcome:
    ref: int
    number: str
    pdf: bytes | None  # None: failed, `error` says why
    error: str = ""
    cpu_seconds: float = 0.0


_worker: dict[str, object] = {}


PARENT_CHECK_SECONDS = 1.0  # how often a pool worker looks whether its parent is still there


def start_worker(
    logo: tuple[bytes, str] | None,
    key: SigningKey | None,
    *,
    warm: bool = True,
    in_pool: bool = True,
) -> None:
    """A worker process's initializer: keep the logo and key, load the renderer and fonts
    (`warm`: now rather than at the first letter). `in_pool`: this is a pool's worker process,
    which ends when the process that started it is gone (see `_end_with_parent`)."""
    _worker["logo"] = logo
    _worker["key"] = key
    if in_pool:
        threading.Thread(
            target=_end_with_parent, args=(os.getppid(),), name="end-with-parent", daemon=True
        ).start()
    if warm:
        styles.shared()  # imports WeasyPrint, parses the stylesheet, loads the fonts


def _end_with_parent(parent: int) -> None:
    """End this worker once its parent is gone. A batch process killed with SIGKILL (or by the
    out-of-memory killer) never shuts its pool down, and a worker waiting for its next letter
    would wait for ever, holding WeasyPrint and the fonts (about 100 MB), reparented to init."""
    while True:
        time.sleep(PARENT_CHECK_SECONDS)
        if os.getppid() != parent:
            os._exit(0)  # nothing of ours to flush: the letter in hand has nobody to go to


def render_job(job: RenderJob) -> RenderOutcome:
    """Render (and sign) one letter with what `start_worker` was given."""
    started = time.process_time()
    logo = _worker.get("logo")
    key = _worker.get("key")
    try:
        pdf = letter_file(job.data, logo, key)  # type: ignore[arg-type]
    except Exception as exc:  # one letter's failure is reported with its item, never fatal
        message = f"{type(exc).__name__}: {exc}"[:500]
        return RenderOutcome(job.ref, job.data.number or "", None, message)
    return RenderOutcome(job.ref, job.data.number or "", pdf, "", time.process_time() - started)
