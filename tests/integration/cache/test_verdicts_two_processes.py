"""Two real processes share verdicts through the real Redis: a change made by one is heard by
the other within a second (shown by the answer after one second has passed, not by timing)."""

import json
import subprocess
import sys
import time

import pytest

pytestmark = pytest.mark.integration


class VerdictProcess:
    def __init__(self, redis_url: str, namespace: str, source) -> None:
        self._process = subprocess.Popen(
            [sys.executable, "-m", "tests.support.verdict_process", redis_url, namespace, str(source)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def ask(self, command: str) -> str:
        assert self._process.stdin and self._process.stdout
        self._process.stdin.write(command + "\n")
        self._process.stdin.flush()
        return self._process.stdout.readline().strip()

    def stop(self) -> None:
        if self._process.stdin:
            self._process.stdin.close()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait(timeout=10)


@pytest.fixture
def two_processes(redis_url, redis_namespace, tmp_path):
    source = tmp_path / "source.json"
    source.write_text(json.dumps({"k": "v1"}))
    first = VerdictProcess(redis_url, redis_namespace, source)
    second = VerdictProcess(redis_url, redis_namespace, source)
    yield first, second, source
    first.stop()
    second.stop()


def test_a_change_in_one_process_is_heard_by_the_other_within_a_second(two_processes):
    first, second, source = two_processes
    assert first.ask("get k") == "v1 loaded"
    assert second.ask("get k") == "v1 kept"  # from the shared cache: the source was not read
    assert second.ask("get k") == "v1 kept"

    source.write_text(json.dumps({"k": "v2"}))
    assert first.ask("invalidate k") == "ok"
    changed_at = time.monotonic()

    assert first.ask("get k") == "v2 loaded"
    time.sleep(max(0.0, changed_at + 1.0 - time.monotonic()))
    assert second.ask("get k") in ("v2 kept", "v2 loaded")
