"""The suite leaves nothing running: a process a test started and left behind fails the run, named,
and does not outlive it."""

import os
import subprocess
import sys
from pathlib import Path

from tests.support.processes import alive

ROOT = Path(__file__).resolve().parents[3]
LEAVES_ONE_BEHIND = """
import subprocess
from pathlib import Path

def test_starts_a_server_and_forgets_it():
    orphan = subprocess.Popen(["sleep", "300"], start_new_session=True)
    Path("orphan.pid").write_text(str(orphan.pid))

def test_starts_a_server_and_stops_it():
    tidy = subprocess.Popen(["sleep", "300"])
    tidy.terminate()
    tidy.wait()
"""
STOPS_EVERYTHING = """
import subprocess

def test_starts_a_server_and_stops_it():
    tidy = subprocess.Popen(["sleep", "301"], start_new_session=True)
    tidy.terminate()
    tidy.wait()
"""


def run_pytest(folder: Path, source: str) -> subprocess.CompletedProcess[str]:
    (folder / "test_processes.py").write_text(source)
    command = [sys.executable, "-m", "pytest", "-c", str(ROOT / "pyproject.toml"), "--rootdir", str(folder)]
    command += ["-p", "tests.fixtures.processes", "-p", "no:cacheprovider", "-q", "test_processes.py"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run(command, capture_output=True, text=True, timeout=60, cwd=folder, env=env)


def test_a_process_left_running_fails_the_run_and_is_gone_after_it(tmp_path: Path) -> None:
    finished = run_pytest(tmp_path, LEAVES_ONE_BEHIND)

    orphan = int((tmp_path / "orphan.pid").read_text())
    try:
        assert finished.returncode == 1, finished.stdout
        assert "2 passed" in finished.stdout
        assert f"{orphan}: sleep 300" in finished.stdout
        assert not alive(orphan)
    finally:
        if alive(orphan):
            os.kill(orphan, 9)


def test_a_run_that_stops_what_it_started_passes(tmp_path: Path) -> None:
    finished = run_pytest(tmp_path, STOPS_EVERYTHING)

    assert finished.returncode == 0, finished.stdout
    assert "still running" not in finished.stdout
