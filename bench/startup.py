"""Benchmark: the application's start-up, beside a bare `import flask` in the same run (issue 12).

    python -m bench.startup [--times 15] [--database-url URL]

Each measured command runs in a fresh interpreter, with bytecode cached as in a deployment
(PYTHONDONTWRITEBYTECODE is removed from the environment, and every command runs once untimed
first so the cache is written), alternating between the commands so a change of load hits them
alike:

- `import flask` (the ceiling: nothing of ours can start faster than the framework it runs on);
- `import tracker.models` (the floor: the framework, SQLAlchemy and the mapped tables, which every
  command and every worker loads whatever it does; what start-up work can still shorten is the
  time above this line);
- `from tracker import create_app; create_app()` (the application object, what gunicorn builds);
- `flask --help` (the command line: the application plus every command group).

Printed per command: the best and the median wall time, and the median CPU time (user + system,
from the kernel's accounting of the child; less sensitive than the wall time to other processes
sharing the cores), then the modules loaded. Never part of the test run.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

COMMANDS: dict[str, list[str]] = {
    "import flask (ceiling)": [sys.executable, "-c", "import flask"],
    "import tracker.models (floor)": [
        sys.executable,
        "-c",
        "import flask_sqlalchemy, flask_login, flask_wtf, flask_babel; import tracker.models",
    ],
    "create_app()": [
        sys.executable,
        "-c",
        "from tracker import create_app; create_app()",
    ],
    "flask --help": [str(Path(sys.executable).with_name("flask")), "--help"],
}
MODULES = (
    "import sys, flask; n = len(sys.modules); from tracker import create_app; create_app(); "
    "print(n, len(sys.modules))"
)


@dataclass
class Runs:
    wall: list[float] = field(default_factory=list)
    cpu: list[float] = field(default_factory=list)


def _env(database_url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    env.update({"FLASK_APP": "wsgi:app", "JENJANG_ENV": "production", "SECRET_KEY": "bench"})
    env["PYTHONPATH"] = str(ROOT)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def _run(command: list[str], env: dict[str, str]) -> tuple[float, float]:
    """(wall, CPU) seconds of one run in a fresh process."""
    before = os.times()
    started = time.perf_counter()
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, check=False)
    wall = time.perf_counter() - started
    after = os.times()
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stderr.decode()[-2000:]}")
    cpu = (after.children_user - before.children_user) + (
        after.children_system - before.children_system
    )
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--times", type=int, default=15, help="runs of each command")
    parser.add_argument("--database-url", help="DATABASE_URL (default: SQLite in instance/)")
    args = parser.parse_args()
    env = _env(args.database_url)
    runs = {name: Runs() for name in COMMANDS}
    for command in COMMANDS.values():  # write the bytecode cache
        _run(command, env)
    for _ in range(args.times):
        for name, command in COMMANDS.items():
            wall, cpu = _run(command, env)
            runs[name].wall.append(wall)
            runs[name].cpu.append(cpu)
    modules = subprocess.run(
        [sys.executable, "-c", MODULES], cwd=ROOT, env=env, capture_output=True, text=True
    ).stdout.split()
    load = os.getloadavg()
    print(f"load average {load[0]:.1f} (after {args.times} runs of each command)")
    print("| command | best | median | CPU (median) |\n|---|---:|---:|---:|")
    for name, found in runs.items():
        print(
            f"| {name} | {min(found.wall):.2f} s | {statistics.median(found.wall):.2f} s | "
            f"{statistics.median(found.cpu):.2f} s |"
        )
    if len(modules) == 2:
        print(f"modules: {modules[0]} after import flask, {modules[1]} after create_app()")


if __name__ == "__main__":
    main()
