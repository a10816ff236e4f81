"""Print how many fuzz examples ran (`pytest tests/fuzz`)."""

from __future__ import annotations

import pytest


def pytest_terminal_summary(terminalreporter: pytest.TerminalReporter) -> None:
    from tests.fuzz.test_fuzz_imports import EXAMPLES

    if any(EXAMPLES.values()):
        terminalreporter.section("fuzzing")
        for name, count in EXAMPLES.items():
            terminalreporter.write_line(f"{name:<12} {count:>5} examples")
