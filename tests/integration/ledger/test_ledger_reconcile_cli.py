"""`python -m infra.local reconcile` as a developer runs it, with no stack running: it starts its own
DynamoDB Local on the data dir, checks the books, says the sandbox's report was not fetched."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support import ROOT

pytestmark = pytest.mark.integration


def test_the_command_checks_empty_books_and_exits_zero(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-m", "infra.local", "--data-dir", str(tmp_path), "reconcile"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
        env={**os.environ, "PYTHONPATH": f"{ROOT / 'layers' / 'peerlearn'}:{ROOT}"},
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "Checked the books only" in result.stdout
    assert "Nothing to report: 0 entries." in result.stdout
