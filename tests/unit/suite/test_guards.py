"""The suite guards itself: a hung test fails instead of stalling the run."""

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
HANG = """
import time

def test_hangs():
    time.sleep(3600)

def test_after_the_hang():
    pass
"""


def test_every_test_runs_under_a_timeout(pytestconfig: pytest.Config) -> None:
    assert pytestconfig.getini("timeout") == "120"
    assert pytestconfig.pluginmanager.hasplugin("timeout")


def test_a_hung_test_fails_and_the_run_goes_on(tmp_path: Path) -> None:
    (tmp_path / "test_hang.py").write_text(HANG)
    command = [sys.executable, "-m", "pytest", "-c", str(ROOT / "pyproject.toml"), "--rootdir", str(tmp_path)]
    command += ["-o", "timeout=2", "-p", "no:cacheprovider", "-q", str(tmp_path / "test_hang.py")]

    # The hard guard: without pytest-timeout the child would sleep an hour and this would raise.
    finished = subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=tmp_path)

    assert finished.returncode == 1, finished.stdout
    assert "1 failed, 1 passed" in finished.stdout
    assert "Timeout" in finished.stdout


def test_property_tests_draw_the_same_examples_every_run() -> None:
    from hypothesis import settings

    assert (settings.default.derandomize, settings.default.database) == (True, None)
