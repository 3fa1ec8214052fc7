"""Promise M1: migrations apply, roll back and re-apply to the same schema; a failure changes nothing."""

import secrets
import shutil
from collections.abc import Callable
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

from adapters.postgres.migrations import (
    apply_migrations,
    default_migrations_dir,
    list_migrations,
    rollback_migrations,
)
from tests.integration.postgres.catalog import read_schema

pytestmark = pytest.mark.integration

PROJECT_TABLES = {
    "users",
    "sessions",
    "auth_challenges",
    "lnurl_sessions",
    "api_keys",
    "api_key_usage",
    "nip05_names",
    "domains",
    "subscriptions",
    "payments",
    "audit_log",
    "processed_webhook_events",
    "receipt_counters",
    "nip05_billing_holds",
    "nip05_payment_holds",
    "nip05_transfer_offers",
    "nip05_name_folds",
    "api_key_usage_flushes",
    "lnurl_wallets",
    "job_runs",
    "wallet_connections",
    "zap_invoices",
    "lnurl_wallet_sessions",
    "key_recoveries",
    "renewal_reminders",
}
YOYO_TABLES = {"_yoyo_log", "_yoyo_migration", "_yoyo_version", "yoyo_lock"}
LEGACY_BASELINE = "0001_legacy_baseline"
WALLET_MIGRATION = "0008_lnurl_wallets_and_poll_secrets"
NAMES_FOR_LIFE_MIGRATION = "0011_names_for_life"

COLUMNS_OF = """
SELECT column_name, data_type, is_nullable = 'YES', column_default IS NOT NULL
FROM information_schema.columns WHERE table_schema = 'public' AND table_name = %(table)s
ORDER BY ordinal_position
"""


def baseline_only_dir(tmp_path: Path) -> Path:
    """A migrations folder holding only the legacy baseline, as the old service's database had it."""
    directory = tmp_path / "baseline"
    directory.mkdir()
    for path in default_migrations_dir().glob(f"{LEGACY_BASELINE}*.sql"):
        shutil.copy(path, directory / path.name)
    return directory


def test_m1_apply_on_an_empty_database_creates_exactly_the_expected_tables(
    make_empty_database: Callable[[], str],
) -> None:
    dsn = make_empty_database()

    applied = apply_migrations(dsn)

    assert set(read_schema(dsn).tables) == PROJECT_TABLES | YOYO_TABLES
    assert applied == [migration_id for migration_id, _ in list_migrations(dsn)]
    assert all(is_applied for _, is_applied in list_migrations(dsn))
    assert apply_migrations(dsn) == []


def test_m1_apply_rollback_all_apply_gives_an_identical_schema(
    make_empty_database: Callable[[], str],
) -> None:
    dsn = make_empty_database()
    apply_migrations(dsn)
    first = read_schema(dsn)

    undone = rollback_migrations(dsn, all=True)
    apply_migrations(dsn)

    assert len(undone) == len(list_migrations(dsn))
    assert read_schema(dsn) == first


def test_m1_rollback_all_leaves_no_project_tables(make_empty_database: Callable[[], str]) -> None:
    dsn = make_empty_database()
    apply_migrations(dsn)

    rollback_migrations(dsn, all=True)

    schema = read_schema(dsn)
    assert set(schema.tables) == YOYO_TABLES
    assert schema.sequences == []
    assert not any(is_applied for _, is_applied in list_migrations(dsn))


def test_m1_rollback_without_all_undoes_only_the_last_migration(
    make_empty_database: Callable[[], str],
) -> None:
    dsn = make_empty_database()
    apply_migrations(dsn)
    *earlier, (last_id, _) = list_migrations(dsn)

    undone = rollback_migrations(dsn)

    assert undone == [last_id]
    assert list_migrations(dsn) == [*[(mid, True) for mid, _ in earlier], (last_id, False)]


def test_m1_each_rollback_step_returns_to_the_schema_before_that_migration(
    make_empty_database: Callable[[], str], tmp_path: Path
) -> None:
    dsn = make_empty_database()
    ids = [migration_id for migration_id, _ in list_migrations(dsn)]
    schemas = [read_schema(dsn)]
    for count in range(1, len(ids) + 1):
        directory = tmp_path / f"first_{count}"
        directory.mkdir()
        for migration_id in ids[:count]:
            for path in default_migrations_dir().glob(f"{migration_id}*.sql"):
                shutil.copy(path, directory / path.name)
        apply_migrations(dsn, directory)
        schemas.append(read_schema(dsn))

    for expected in reversed(schemas[:-1]):
        rollback_migrations(dsn)
        assert read_schema(dsn) == expected


def test_m1_a_failing_migration_changes_nothing(
    make_empty_database: Callable[[], str], tmp_path: Path
) -> None:
    dsn = make_empty_database()
    apply_migrations(dsn, baseline_only_dir(tmp_path))
    # A table in the way of the last statement of the next migration makes it fail after it has
    # already altered users and created several tables.
    with psycopg.connect(dsn, autocommit=True) as conn:
        conn.execute("CREATE TABLE audit_log (note text)")
    before = read_schema(dsn)
    status_before = list_migrations(dsn)

    with pytest.raises(psycopg.errors.DuplicateTable):
        apply_migrations(dsn)

    assert read_schema(dsn) == before
    assert list_migrations(dsn) == status_before
    assert [is_applied for _, is_applied in status_before] == [True] + [False] * (len(status_before) - 1)


def test_m1_a_legacy_database_upgrades_with_its_users_intact(
    make_empty_database: Callable[[], str], postgres_dsn: str, tmp_path: Path
) -> None:
    final_tables = set(read_schema(postgres_dsn).tables)
    dsn = make_empty_database()
    apply_migrations(dsn, baseline_only_dir(tmp_path))
    legacy_tables = set(read_schema(dsn).tables) - final_tables
    assert len(legacy_tables) == 1
    (legacy_table,) = legacy_tables

    users = [(secrets.token_hex(32), role) for role in ("user", "admin", "user")]
    with psycopg.connect(dsn) as conn:
        user_rows = [
            conn.execute(
                "INSERT INTO users (pubkey, role) VALUES (%(pubkey)s, %(role)s) RETURNING id, pubkey, role",
                {"pubkey": pubkey, "role": role},
            ).fetchone()
            for pubkey, role in users
        ]
        for user_id, pubkey, _ in user_rows:
            insert_legacy_row(conn, legacy_table, user_id, pubkey)
        legacy_count = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(sql.Identifier(legacy_table)))
        assert legacy_count.fetchone() == (len(users),)

    apply_migrations(dsn)

    schema = read_schema(dsn)
    assert set(schema.tables) == final_tables
    assert not any(legacy_table.lower() in name.lower() for name in schema.names())
    with psycopg.connect(dsn) as conn:
        after = conn.execute("SELECT id, pubkey, role, status FROM users ORDER BY created_at, id").fetchall()
    assert sorted(after) == sorted((*row, "active") for row in user_rows)


def insert_legacy_row(conn: psycopg.Connection, table: str, user_id: object, pubkey: str) -> None:
    """Fills every required column of the legacy table with a value of its type."""
    values: dict[str, object] = {}
    for column, data_type, nullable, has_default in conn.execute(COLUMNS_OF, {"table": table}).fetchall():
        if data_type == "uuid":
            values[column] = user_id
        elif data_type == "text":
            values[column] = pubkey
        elif not nullable and not has_default:
            values[column] = 1
    statement = sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
        sql.Identifier(table),
        sql.SQL(", ").join(map(sql.Identifier, values)),
        sql.SQL(", ").join(sql.Placeholder(column) for column in values),
    )
    conn.execute(statement, values)


def test_m1_the_wallet_migration_moves_each_linked_key_to_a_wallet_and_its_rollback_moves_it_back(
    make_empty_database: Callable[[], str], tmp_path: Path
) -> None:
    dsn = make_empty_database()
    ids = [migration_id for migration_id, _ in list_migrations(dsn)]
    wallets = ids.index(WALLET_MIGRATION)
    before = tmp_path / "before_wallets"
    before.mkdir()
    for migration_id in ids[:wallets]:
        for path in default_migrations_dir().glob(f"{migration_id}*.sql"):
            shutil.copy(path, before / path.name)
    apply_migrations(dsn, before)
    key = "02" + secrets.token_hex(32)
    with psycopg.connect(dsn) as conn:
        linked, unlinked = (
            conn.execute(
                "INSERT INTO users (pubkey, lnurl_key) VALUES (%(p)s, %(k)s) RETURNING id",
                {"p": secrets.token_hex(32), "k": lnurl_key},
            ).fetchone()[0]  # type: ignore[index]
            for lnurl_key in (key, None)
        )

    apply_migrations(dsn)
    with psycopg.connect(dsn) as conn:
        moved = conn.execute("SELECT user_id, linking_key FROM lnurl_wallets").fetchall()
        left = conn.execute("SELECT count(*) FROM users WHERE lnurl_key IS NOT NULL").fetchone()
    assert moved == [(linked, key)] and left == (0,)

    while list_migrations(dsn)[wallets][1]:
        rollback_migrations(dsn)
    with psycopg.connect(dsn) as conn:
        restored = conn.execute("SELECT id, lnurl_key FROM users ORDER BY lnurl_key NULLS LAST").fetchall()
    assert restored == [(linked, key), (unlinked, None)]


def test_m1_n9_lookalikes_already_held_by_two_accounts_stop_the_names_migration_naming_them(
    make_empty_database: Callable[[], str], tmp_path: Path
) -> None:
    dsn = make_empty_database()
    ids = [migration_id for migration_id, _ in list_migrations(dsn)]
    names_for_life = ids.index(NAMES_FOR_LIFE_MIGRATION)
    before = tmp_path / "before_names_for_life"
    before.mkdir()
    for migration_id in ids[:names_for_life]:
        for path in default_migrations_dir().glob(f"{migration_id}*.sql"):
            shutil.copy(path, before / path.name)
    apply_migrations(dsn, before)
    with psycopg.connect(dsn) as conn:
        for name in ("alice", "a1ice"):
            pubkey = secrets.token_hex(32)
            user_id = conn.execute(
                "INSERT INTO users (pubkey) VALUES (%s) RETURNING id", (pubkey,)
            ).fetchone()
            conn.execute(
                "INSERT INTO nip05_names (user_id, name, domain, pubkey) VALUES (%s, %s, 'x.test', %s)",
                (user_id[0], name, pubkey),  # type: ignore[index]
            )
    schema_before = read_schema(dsn)

    with pytest.raises(
        psycopg.errors.RaiseException,
        match=r"look-alike names held by different accounts: a1ice, alice on x\.test",
    ):
        apply_migrations(dsn)

    assert read_schema(dsn) == schema_before
    assert not dict(list_migrations(dsn))[NAMES_FOR_LIFE_MIGRATION]
