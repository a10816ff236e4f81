"""Building many objects at once: an import's checked rows and audit entries, a period's
assessment inputs and results."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while tens of thousands of objects are built that live
    until the work ends (rows, indexes, value maps, audit entries): reference counting frees them
    all the same, and the collector's repeated full sweeps over them would cost a tenth of an
    assessment run and a fifth of a registry import. Cycles, if any, are collected afterwards."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()
