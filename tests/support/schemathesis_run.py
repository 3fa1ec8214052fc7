"""Schemathesis against `nostr-id serve`, as the command line runs it: every operation of `/schema`,
every phase (examples, coverage, fuzzing, stateful) and every check, derandomized, a bounded number
of examples per operation. tests/support/schemathesis_hooks.py gives the formats and, with a
secret key, signs every request in as that key's user."""

import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from tests.support.schemathesis_hooks import BASE_URL_VARIABLE, SECRET_KEY_VARIABLE
from tests.support.serve import CLI, wait_ready
from tests.support.tcp_proxy import free_port

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "tests" / "e2e" / "schemathesis.toml"
HOOKS = "tests.support.schemathesis_hooks"
_RUN = "import sys; from schemathesis.cli import schemathesis; sys.exit(schemathesis())"


def serve_environment(postgres_dsn: str, data_dir: Path, base_url: str) -> dict[str, str]:
    env = {
        **os.environ,
        "DATABASE_URL": postgres_dsn,
        "RELAY_URLS": "memory://",
        "PUBLIC_URL": base_url,
        "DATA_DIR": str(data_dir),
        "LOG_LEVEL": "WARNING",
        # Thousands of generated requests from one address: rate limits are tested on their own.
        "RATE_LIMIT_ANONYMOUS": "1000000",
        "RATE_LIMIT_SIGN_IN": "1000000",
        "RATE_LIMIT_API_KEY": "1000000",
    }
    env.pop("REDIS_URL", None)
    return env


@contextmanager
def served(postgres_dsn: str, data_dir: Path) -> Iterator[str]:
    """`nostr-id serve` on a free loopback port (the test PostgreSQL, the memory relay and cache)."""
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    env = serve_environment(postgres_dsn, data_dir, base_url)
    serve = subprocess.Popen([*CLI, "serve", "--port", str(port)], env=env, stderr=subprocess.DEVNULL)
    try:
        wait_ready(base_url, serve)
        yield base_url
    finally:
        serve.terminate()
        serve.wait(timeout=30)


def run_schemathesis(
    base_url: str, work_dir: Path, *, max_examples: int, secret_key: str | None = None, budget: float = 180
) -> subprocess.CompletedProcess[str]:
    """One run; `budget` seconds is the hard guard on its wall-clock time."""
    env = {**os.environ, "SCHEMATHESIS_HOOKS": HOOKS, BASE_URL_VARIABLE: base_url, "PYTHONPATH": str(ROOT)}
    env.pop(SECRET_KEY_VARIABLE, None)
    if secret_key is not None:
        env[SECRET_KEY_VARIABLE] = secret_key
    command = [
        *(sys.executable, "-c", _RUN),
        *("--config-file", str(CONFIG), "run", f"{base_url}/schema/openapi.json"),
        *("--phases", "examples,coverage,fuzzing,stateful"),
        *("--max-examples", str(max_examples), "--generation-deterministic"),
        *("--workers", "1", "--no-color"),
    ]
    return subprocess.run(command, env=env, cwd=work_dir, capture_output=True, text=True, timeout=budget)
