"""The scheduler's tests: frozen office time (time-machine, never a sleep), jobs fired as the
scheduler fires them, a local SMTP server (aiosmtpd) for the e-mail copies."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from datetime import datetime
from email import message_from_bytes
from email.message import Message
from zoneinfo import ZoneInfo

import pytest
import time_machine
from aiosmtpd.controller import Controller
from flask import Flask

from tracker.extensions import db
from tracker.jobs import runner
from tracker.jobs.registry import find

WIB = ZoneInfo("Asia/Jakarta")


def wib(*args: int) -> datetime:
    return datetime(*args, tzinfo=WIB)  # type: ignore[misc]


@pytest.fixture
def at() -> Iterator[Callable[[datetime], None]]:
    """at(wib(2026, 4, 11, 6)) freezes the clock there (later calls move it)."""
    travellers: list[time_machine.travel] = []

    def _at(moment: datetime) -> None:
        if travellers:
            travellers.pop().stop()
        traveller = time_machine.travel(moment, tick=False)
        traveller.start()
        travellers.append(traveller)

    yield _at
    for traveller in travellers:
        traveller.stop()


@pytest.fixture
def fire(app: Flask) -> Callable[..., list[runner.Outcome]]:
    """fire("reminders") runs the job as its trigger would, then refreshes the test's session."""

    def _fire(name: str) -> list[runner.Outcome]:
        job = find(name)
        assert job is not None
        outcomes = runner.fire(app, job)
        db.session.expire_all()
        return outcomes

    return _fire


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]  # noqa: N802
        message = message_from_bytes(envelope.content)
        message["X-Rcpt-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 OK"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    """A local SMTP server collecting what it is sent: (inbox, port)."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield inbox, controller.port
    finally:
        controller.stop()
