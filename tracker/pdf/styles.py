"""The printed documents' stylesheet and fonts, loaded once per process.

WeasyPrint loads the @font-face fonts of a stylesheet into the FontConfiguration it is given.
A new configuration per document costs about 0.06 s and is never given back: memory grew by
0.28 MB a letter (150 MB after 150 letters) where one configuration shared by every document of
the process keeps it flat (about 106 MB) and renders a fifth faster. So the stylesheet is parsed
once with one configuration, and documents are rendered one at a time per process (`lock`: Pango's
font map is not meant for two threads at once, and a threaded server may ask for two PDFs).
A changed letter.css is read at the next start of the process.
"""

from __future__ import annotations

import atexit
import threading
from functools import cache
from typing import Any

from tracker.pdf.fetcher import make_fetcher, static_url

STYLESHEET = "css/letter.css"

lock = threading.Lock()


@cache
def shared() -> tuple[Any, Any]:
    """(the parsed letter.css, the FontConfiguration holding its fonts)."""
    from weasyprint import CSS
    from weasyprint.text.fonts import FontConfiguration

    fonts = FontConfiguration()
    css = CSS(url=static_url(STYLESHEET), url_fetcher=make_fetcher(), font_config=fonts)
    # let the configuration remove its temporary font folder while the interpreter still can
    atexit.register(shared.cache_clear)
    return css, fonts
