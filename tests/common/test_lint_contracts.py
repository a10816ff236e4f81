"""The import contracts of .importlinter hold on the tree and fail on a misplaced import.

lint-imports runs on a copy of the package (so the test never writes into the source tree): once
as it is, which must pass, and once with one module that breaks a contract, which must fail and
name that contract.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT = Path(sys.executable).with_name("lint-imports")

pytestmark = pytest.mark.skipif(not LINT.exists(), reason="import-linter is not installed")


def _copy_tree(target: Path) -> None:
    shutil.copytree(
        ROOT / "tracker", target / "tracker", ignore=shutil.ignore_patterns("__pycache__")
    )
    shutil.copy(ROOT / ".importlinter", target / ".importlinter")
    shutil.copy(ROOT / "config.py", target / "config.py")


def _lint(where: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(LINT), "--no-cache"],
        cwd=where,
        env={"PYTHONPATH": str(where), "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.mark.parametrize(
    ("module", "source", "broken"),
    [
        # scoring is pure: no database
        ("tracker/scoring/_probe.py", "from tracker.models import Kim\n", "Scoring is pure"),
        # a lower service domain may not call a higher one
        (
            "tracker/services/registry/_probe.py",
            "from tracker.services.assessment import runner\n",
            "Service domains",
        ),
        # the web layer writes no SQL
        ("tracker/web/common/_probe.py", "import sqlalchemy\n", "The web layer writes no SQL"),
    ],
)
def test_a_misplaced_import_fails_the_contracts(
    tmp_path: Path, module: str, source: str, broken: str
) -> None:
    _copy_tree(tmp_path)
    (tmp_path / module).write_text(source)
    result = _lint(tmp_path)
    assert result.returncode != 0, result.stdout
    assert f"{broken}" in result.stdout
    assert "BROKEN" in result.stdout


def test_a_new_package_must_be_placed(tmp_path: Path) -> None:
    """The layers are exhaustive: a package nobody placed fails lint."""
    _copy_tree(tmp_path)
    (tmp_path / "tracker" / "newdomain").mkdir()
    (tmp_path / "tracker" / "newdomain" / "__init__.py").write_text("")
    result = _lint(tmp_path)
    assert result.returncode != 0, result.stdout
    assert "newdomain" in result.stdout + result.stderr


def test_the_tree_keeps_every_contract(tmp_path: Path) -> None:
    _copy_tree(tmp_path)
    result = _lint(tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "0 broken" in result.stdout
