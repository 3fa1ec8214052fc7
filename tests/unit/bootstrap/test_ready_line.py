import subprocess
import sys

import pytest

from bootstrap.embedded import await_ready_line


def _child(code: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True)


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("print('starting'); print('READY ws://127.0.0.1:7000', flush=True); import time; time.sleep(30)",
         "ws://127.0.0.1:7000"),
        ("raise SystemExit(3)", None),
        ("import time; time.sleep(30)", None),
    ],
)  # fmt: skip
# The hard guard: a wait that ignored its 2 s timeout would meet the child's 30 s sleep and fail here.
@pytest.mark.timeout(15)
def test_waits_for_the_ready_line_and_never_past_the_timeout(code, expected):
    process = _child(code)
    try:
        assert await_ready_line(process, timeout=2.0) == expected
    finally:
        process.kill()
        process.wait()
