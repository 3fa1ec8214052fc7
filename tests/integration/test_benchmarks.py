"""Every benchmark still runs: each script in bench/ at its `--smoke` size, on the real PostgreSQL,
Redis and relay processes the documented commands use, so a command in docs/benchmarks.md cannot
break unnoticed. The figures of a smoke run mean nothing; finishing and printing the last line does."""

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench"
# Each runnable script, with a line its report prints only once every step ran.
LAST_LINE = {
    "auth_paths": "NIP-98 / bearer:",
    "lmdb_load": "saved ",
    "nip05": "paced at half our peak, bare ASGI",
    "nip05_in_process": "bare ASGI function:",
    "relay_fetch": "fetch / bound",
    "wot": "cached score over HTTP",
    "wot_burst": '"load_after"',
    "zaps": "our overhead at p50:",
}
SMOKE_LIMIT = 240

pytestmark = pytest.mark.integration


def runnable_scripts() -> set[str]:
    return {path.stem for path in BENCH.glob("*.py") if 'if __name__ == "__main__":' in path.read_text()}


def test_every_benchmark_script_has_a_smoke_run() -> None:
    assert runnable_scripts() == set(LAST_LINE)


def test_benchmarks_import_nothing_from_the_tests() -> None:
    imported = {
        (path.name, name)
        for path in BENCH.glob("*.py")
        for node in ast.walk(ast.parse(path.read_text()))
        for name in (
            [alias.name for alias in node.names]
            if isinstance(node, ast.Import)
            else [node.module or ""]
            if isinstance(node, ast.ImportFrom)
            else []
        )
    }

    assert {(file, name) for file, name in imported if name.split(".")[0] == "tests"} == set()


@pytest.mark.timeout(SMOKE_LIMIT + 30)
@pytest.mark.parametrize("script", sorted(LAST_LINE))
def test_the_benchmark_runs_at_its_smoke_size(script: str, postgres_admin_url: str) -> None:
    env = {**os.environ, "BENCH_POSTGRES_URL": postgres_admin_url}

    finished = subprocess.run(
        [sys.executable, "-m", f"bench.{script}", "--smoke"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=SMOKE_LIMIT,
    )

    assert finished.returncode == 0, finished.stderr[-3000:]
    assert LAST_LINE[script] in finished.stdout, finished.stdout[-3000:]
