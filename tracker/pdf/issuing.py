"""The archived file of a letter: rendered once, then signed when the office has a certificate.

`letter_file` is the one way a letter's PDF is made, whether one letter is issued in a web
request or a batch renders hundreds in worker processes. The worker side is here too:
`start_pool_worker` (the pool's initializer: the logo and the signing key are handed over once per
process, WeasyPrint with the shared stylesheet is loaded before the first letter, and the worker
exits when the batch process is gone) and
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


def letter_file(
    data: LetterData, logo: tuple[bytes, str] | None, key: SigningKey | None, chart_svg: str = ""
) -> bytes:
    """The evaluation letter's archived PDF (PDF/A-3b, signed when `key` is given); `chart_svg`:
    the attachment's chart, drawn by the caller (tracker.charts is not the pdf layer's)."""
    rendered = letter_module.render_letter(data, logo, chart_svg)
    return seal(rendered, key, f"Surat Hasil Evaluasi KIM nomor {data.number}")


# ----------------------------------------------------------------------------- worker processes


@dataclass(frozen=True)
class RenderJob:
    """One letter for a worker: `ref` is the caller's (a batch item's id)."""

    ref: int
    data: LetterData
    chart_svg: str = ""  # the attachment's chart (drawn in the batch's process)


@dataclass(frozen=True)
class RenderOutcome:
    ref: int
    number: str
    pdf: bytes | None  # None: failed, `error` says why
    error: str = ""
    cpu_seconds: float = 0.0


_worker: dict[str, object] = {}


def start_worker(
    logo: tuple[bytes, str] | None, key: SigningKey | None, *, warm: bool = True
) -> None:
    """A worker process's initializer: keep the logo and key, load the renderer and fonts
    (`warm`: now rather than at the first letter)."""
    _worker["logo"] = logo
    _worker["key"] = key
    if warm:
        styles.shared()  # imports WeasyPrint, parses the stylesheet, loads the fonts


PARENT_CHECK_SECONDS = 1.0


def start_pool_worker(logo: tuple[bytes, str] | None, key: SigningKey | None) -> None:
    """The initializer of a worker process in a batch's pool: `start_worker`, and the worker
    exits when the batch process that started it is gone. A batch killed outright (SIGKILL,
    the OOM killer) runs no cleanup, and its idle workers would otherwise wait on their queue
    forever, each holding a loaded WeasyPrint."""
    parent = os.getppid()

    def watch() -> None:
        while True:
            time.sleep(PARENT_CHECK_SECONDS)
            if os.getppid() != parent:  # re-parented: the batch process died
                os._exit(1)

    threading.Thread(target=watch, name="batch-parent-watch", daemon=True).start()
    start_worker(logo, key)


def render_job(job: RenderJob) -> RenderOutcome:
    """Render (and sign) one letter with what `start_worker` was given."""
    started = time.process_time()
    logo = _worker.get("logo")
    key = _worker.get("key")
    try:
        pdf = letter_file(job.data, logo, key, job.chart_svg)  # type: ignore[arg-type]
    except Exception as exc:  # one letter's failure is reported with its item, never fatal
        message = f"{type(exc).__name__}: {exc}"[:500]
        return RenderOutcome(job.ref, job.data.number or "", None, message)
    return RenderOutcome(job.ref, job.data.number or "", pdf, "", time.process_time() - started)
