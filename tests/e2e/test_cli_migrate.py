"""`nostr-id migrate` against a real PostgreSQL database of the test's own."""

import os
import subprocess
import sys

import psycopg

from tests.integration.postgres.test_migrations import PROJECT_TABLES as TABLES_WE_MAKE

CLI = [sys.executable, "-m", "bootstrap.cli", "migrate"]
PROJECT_TABLES = """
    SELECT count(*) FROM information_schema.tables
    WHERE table_schema = 'public' AND table_name NOT LIKE '%yoyo%'
"""


def _migrate(dsn: str, *step: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DATABASE_URL": dsn}
    return subprocess.run([*CLI, *step], env=env, capture_output=True, text=True, timeout=120)


def _project_tables(dsn: str) -> int:
    with psycopg.connect(dsn) as conn:
        row = conn.execute(PROJECT_TABLES).fetchone()
    assert row is not None
    return int(row[0])


def test_apply_list_rollback_all(make_empty_database):
    dsn = make_empty_database()

    applied = _migrate(dsn, "apply")
    assert applied.returncode == 0, applied.stderr
    lines = applied.stdout.splitlines()
    assert lines and all(line.startswith("[x] ") for line in lines)
    assert _project_tables(dsn) == len(TABLES_WE_MAKE)

    listed = _migrate(dsn, "list")
    assert listed.stdout == applied.stdout

    one_back = _migrate(dsn, "rollback")
    assert one_back.returncode == 0, one_back.stderr
    assert one_back.stdout.splitlines()[-1].startswith("[ ] ")
    assert sum(line.startswith("[x] ") for line in one_back.stdout.splitlines()) == len(lines) - 1

    all_back = _migrate(dsn, "rollback", "--all")
    assert all_back.returncode == 0, all_back.stderr
    assert all(line.startswith("[ ] ") for line in all_back.stdout.splitlines())
    assert _project_tables(dsn) == 0


def test_unreachable_database_is_a_clear_error(make_empty_database):
    result = _migrate("postgresql://postgres@127.0.0.1:1/nothing", "apply")
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "database" in result.stderr.lower()
