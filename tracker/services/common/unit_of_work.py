"""The unit of work: services that call services compose, and only the outermost one commits.

Every write service wraps its work in `transaction()`. Entered while another `transaction()` of
the same session is open, it joins it: nothing is committed until the outermost block ends
without an exception, and an exception anywhere inside rolls back the whole unit. So a service
can be used alone (it commits) or as a step of a larger one (the caller commits), and a failure
in an inner step never leaves the outer step's rows half-written.

A block that must keep what it wrote even though the request then fails (a login failure that
counts towards the throttle) is its own outermost unit: call it outside any other transaction.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from tracker.extensions import db

_DEPTH_KEY = "jenjang_unit_of_work_depth"


def _session() -> Session:
    return db.session()  # the scoped session's current Session


def depth() -> int:
    """How many transaction() blocks are open (0 outside any)."""
    return int(_session().info.get(_DEPTH_KEY, 0))


@contextmanager
def transaction() -> Iterator[Session]:
    """Run a block as one unit of work; commit only when this is the outermost block."""
    session = _session()
    level = int(session.info.get(_DEPTH_KEY, 0))
    session.info[_DEPTH_KEY] = level + 1
    try:
        yield session
        if level == 0:
            session.commit()
        else:
            session.flush()
    except BaseException:
        if level == 0:
            session.rollback()
        raise
    finally:
        session.info[_DEPTH_KEY] = level
