"""The import-linter contracts can fail: a copy of the tree with a forbidden import breaks them."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("domain", "application", "adapters", "bootstrap")
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def _copy_tree(target: Path) -> None:
    for package in PACKAGES:
        shutil.copytree(ROOT / package, target / package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", target / "pyproject.toml")


def _lint(tree: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    return subprocess.run(
        [str(LINT_IMPORTS), "--no-cache"], cwd=tree, env=env, capture_output=True, text=True, timeout=120
    )


@pytest.mark.parametrize(
    ("module", "forbidden_import", "contract"),
    [
        (
            "domain/shared/clock.py",
            "import adapters.postgres.pool",
            "domain depends on nothing of ours but itself",
        ),
        ("domain/shared/clock.py", "import psycopg", "domain imports only the standard library"),
        ("domain/shared/clock.py", "import domain.names.nip05", "the domain's shared pieces need no feature"),
        (
            "application/check_readiness.py",
            "import adapters.cache.redis_cache",
            "application speaks to ports only",
        ),
        (
            "adapters/cache/memory_cache.py",
            "import bootstrap.settings",
            "adapters never import the composition root",
        ),
        ("adapters/cache/memory_cache.py", "import adapters.relay.memory_relay", "adapters are independent"),
        ("bootstrap/container.py", "import bootstrap.cli", "the composition root imports no command-line"),
        (
            "bootstrap/container.py",
            "import adapters.cli.wot",
            "the composition root imports no command",
        ),
        ("adapters/cli/wot.py", "import adapters.http.wot", "commands print from the domain"),
    ],
)
def test_a_forbidden_import_breaks_its_contract(tmp_path, module, forbidden_import, contract):
    _copy_tree(tmp_path)
    path = tmp_path / module
    path.write_text(path.read_text() + f"\n{forbidden_import}  # noqa\n")

    result = _lint(tmp_path)

    assert result.returncode != 0
    broken = [line for line in result.stdout.splitlines() if "BROKEN" in line.split()]
    assert any(line.startswith(contract) for line in broken), result.stdout
