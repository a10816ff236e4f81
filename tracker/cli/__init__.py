"""`flask` commands, one module per domain. Each command parses its arguments, calls one service
and prints the outcome; the same services serve the web pages and the scheduled jobs.

Exit codes: 0 success, 1 the input was refused (nothing written), 2 usage error (click's own).
"""

from __future__ import annotations

from flask import Flask


def register(app: Flask) -> None:
    """Attach every domain's commands (each module lists its groups and commands in COMMANDS)."""
    from tracker.cli import (
        accounts,
        activity,
        assessment,
        backup,
        coaching,
        demo,
        letters,
        migrations,
        registry,
        reports,
        rules,
        scheduler,
        translate,
    )

    modules = (accounts, registry, rules, activity, assessment, coaching, reports, letters)
    modules += (scheduler,)
    for module in (*modules, backup, demo, translate, migrations):
        for command in module.COMMANDS:
            app.cli.add_command(command)
