"""The attack suite's world (tests/security/world.py) and its count of cases, printed at the
end of the run (`pytest tests/security`)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest
from flask import Flask

from tests.security.world import World, build_world

CASES: Counter[str] = Counter()


@pytest.fixture
def world(app: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> World:
    return build_world(app, tmp_path, monkeypatch)


@pytest.fixture
def cases() -> Counter[str]:
    """`cases["csrf"] += 1` for each attack tried; the totals are printed at the end."""
    return CASES


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    if not CASES:
        return
    terminalreporter.section("attack suite")
    for kind, count in sorted(CASES.items()):
        terminalreporter.write_line(f"{kind:<28} {count:>6} cases")
    terminalreporter.write_line(f"{'total':<28} {sum(CASES.values()):>6} cases")
