"""The `nostr-id` command line."""

import argparse
import asyncio
import logging
import os
import shutil
import sys
import tempfile
from collections.abc import Awaitable, Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg

from bootstrap.admin_commands import grant_role, set_user_suspension
from bootstrap.container import Container
from bootstrap.embedded import EmbeddedUnavailable, export_to_environment, with_embedded_defaults
from bootstrap.job_commands import run_jobs
from bootstrap.keys import service_secret_key
from bootstrap.logs import configure_logging, server_log_config
from bootstrap.settings import Settings, SettingsError, load_settings
from bootstrap.wot_commands import demo_seed, wot_score
from bootstrap.wot_reload import serving_pid

log = logging.getLogger("nostr_id")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nostr-id", description="Nostr identity service")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser(
        "serve",
        help="serve the HTTP API",
        description="Serve the HTTP API. With DATABASE_URL unset, an embedded PostgreSQL under DATA_DIR is "
        "started and migrated; a database given by DATABASE_URL is migrated with `nostr-id migrate`.",
    )
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)

    migrate = commands.add_parser("migrate", help="apply, roll back or list database migrations")
    steps = migrate.add_subparsers(dest="step")
    steps.add_parser("apply", help="apply every pending migration (the default)")
    rollback = steps.add_parser("rollback", help="roll back the last migration")
    rollback.add_argument("--all", action="store_true", help="roll back every migration")
    steps.add_parser("list", help="list migrations and whether each is applied")

    wot = commands.add_parser("wot", help="Web of Trust")
    wot_commands = wot.add_subparsers(dest="wot_command", required=True)
    score = wot_commands.add_parser("score", help="compute the Web of Trust figures of a pubkey")
    score.add_argument("pubkey", help="64-char hex or npub")
    score.add_argument("--json", action="store_true", help="print JSON")

    admin = commands.add_parser("admin", help="account administration")
    admin_commands = admin.add_subparsers(dest="admin_command", required=True)

    grant = admin_commands.add_parser("grant-role", help="give the account of a pubkey a role")
    grant.add_argument("pubkey", help="64-char hex or npub; the account is made if it is new")
    grant.add_argument("role", help="user or admin")
    suspend = admin_commands.add_parser("suspend-user", help="suspend the account of a pubkey")
    suspend.add_argument("pubkey", help="64-char hex or npub")
    unsuspend = admin_commands.add_parser("unsuspend-user", help="lift the suspension of an account")
    unsuspend.add_argument("pubkey", help="64-char hex or npub")

    jobs = commands.add_parser("jobs", help="periodic work")
    jobs_commands = jobs.add_subparsers(dest="jobs_command", required=True)
    jobs_commands.add_parser(
        "run", help="run every periodic job once (domain re-verification, billing expiry and suspensions)"
    )

    demo = commands.add_parser("demo", help="demo data")
    demo_commands = demo.add_subparsers(dest="demo_command", required=True)
    seed = demo_commands.add_parser("seed", help="publish a synthetic social graph to the relay")
    seed.add_argument("--users", type=int, default=2000)
    seed.add_argument("--seed", type=int, default=1)
    return parser


@contextmanager
def _metrics_directory() -> Iterator[Path]:
    """A directory for prometheus_client's multiprocess files, empty at start: the one named by
    PROMETHEUS_MULTIPROC_DIR (emptied), or a fresh temporary one removed at exit."""
    given = os.environ.get("PROMETHEUS_MULTIPROC_DIR", "").strip()
    if given:
        directory = Path(given)
        shutil.rmtree(directory, ignore_errors=True)
        directory.mkdir(parents=True, exist_ok=True)
        yield directory
        return
    directory = Path(tempfile.mkdtemp(prefix="nostr-id-metrics-"))
    try:
        yield directory
    finally:
        shutil.rmtree(directory, ignore_errors=True)


def _prepare_schema(settings: Settings) -> None:
    """The embedded database is migrated; of another, a schema behind this version is reported
    (readiness stays 503 naming the missing migrations until `nostr-id migrate` is run)."""
    from adapters.postgres.migrations import apply_migrations, list_migrations

    assert settings.database_url is not None
    logging.getLogger("yoyo").setLevel(logging.WARNING)
    try:
        if "database" in settings.embedded:
            applied = apply_migrations(settings.database_url)
            if applied:
                log.info("embedded database migrated: %s", ", ".join(applied))
            return
        missing = [migration for migration, applied in list_migrations(settings.database_url) if not applied]
    except psycopg.OperationalError as error:
        log.warning("the database schema was not checked: %s", str(error).splitlines()[0])
        return
    if missing:
        log.error(
            "the database is behind this version: missing migrations %s; run `nostr-id migrate`; "
            "until then /health/ready answers 503",
            ", ".join(missing),
        )


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    from granian.constants import Interfaces
    from prometheus_client import values

    from bootstrap.drain import drain_marker
    from bootstrap.draining_server import DrainingServer

    _prepare_schema(settings)
    export_to_environment(settings)
    workers = args.workers
    if workers > 1 and settings.redis_url is None:
        log.warning("REDIS_URL is unset: the in-process cache is per process, so serving with one worker")
        workers = 1
    with _metrics_directory() as metrics_directory:
        os.environ["PROMETHEUS_MULTIPROC_DIR"] = str(metrics_directory)
        # prometheus_client picks its value store when first imported; workers are forked from this
        # process, which imported it before the variable was set.
        values.ValueClass = values.get_value_class()
        with serving_pid(settings.data_dir), drain_marker(settings.data_dir) as drain_file:
            server = DrainingServer(
                "bootstrap.asgi:app_from_environment",
                address=args.host,
                port=args.port,
                workers=workers,
                interface=Interfaces.ASGI,
                factory=True,
                log_dictconfig=server_log_config(),
                drain_file=drain_file,
                drain_seconds=settings.drain_seconds,
            )
            server.serve()
    return 0


def _migrate(settings: Settings, args: argparse.Namespace) -> int:
    from adapters.postgres.migrations import apply_migrations, list_migrations, rollback_migrations

    assert settings.database_url is not None
    logging.getLogger("yoyo").setLevel(logging.WARNING)
    step = args.step or "apply"
    try:
        if step == "apply":
            apply_migrations(settings.database_url)
        elif step == "rollback":
            rollback_migrations(settings.database_url, all=args.all)
        migrations = list_migrations(settings.database_url)
    except psycopg.OperationalError as error:
        print(f"nostr-id: the database is unreachable: {str(error).splitlines()[0]}", file=sys.stderr)
        return 1
    for migration_id, applied in migrations:
        print(f"[{'x' if applied else ' '}] {migration_id}")
    return 0


async def _with_resources(
    settings: Settings,
    command: Callable[[Container], Awaitable[int]],
    resources_of: Callable[[Container], tuple[Any, ...]],
) -> int:
    """Runs a command with the container's resources it names started, and shut down after it."""
    container = Container(settings=settings)
    resources = resources_of(container)
    for resource in resources:
        await resource.init()
    try:
        return await command(container)
    finally:
        for resource in reversed(resources):
            await resource.shutdown()


async def _with_container(settings: Settings, command: Callable[[Container], Awaitable[int]]) -> int:
    """Runs a relay-only command: the relay and cache are started, the database is never opened."""
    return await _with_resources(settings, command, lambda c: (c.relay_lifecycle, c.cache_lifecycle))


def _wot(settings: Settings, args: argparse.Namespace) -> int:
    return asyncio.run(_with_container(settings, lambda c: wot_score(c, args.pubkey, args.json)))


async def _with_database(settings: Settings, command: Callable[[Container], Awaitable[int]]) -> int:
    """Runs a database command: the database pool and the cache are started, the relay is not."""
    return await _with_resources(settings, command, lambda c: (c.db_pool_lifecycle, c.cache_lifecycle))


def _admin(settings: Settings, args: argparse.Namespace) -> int:
    if args.admin_command in ("suspend-user", "unsuspend-user"):
        suspended = args.admin_command == "suspend-user"
        return asyncio.run(_with_database(settings, lambda c: set_user_suspension(c, args.pubkey, suspended)))
    return asyncio.run(_with_database(settings, lambda c: grant_role(c, args.pubkey, args.role)))


def _jobs(settings: Settings, args: argparse.Namespace) -> int:
    # The database and the cache, and the relay for the NIP-85 assertions.
    return asyncio.run(
        _with_resources(
            settings, run_jobs, lambda c: (c.db_pool_lifecycle, c.relay_lifecycle, c.cache_lifecycle)
        )
    )


def _demo(settings: Settings, args: argparse.Namespace) -> int:
    return asyncio.run(_with_container(settings, lambda c: demo_seed(c, args.users, args.seed)))


COMMANDS = {"serve": _serve, "migrate": _migrate, "wot": _wot, "demo": _demo, "admin": _admin, "jobs": _jobs}
NO_RELAY = {"migrate", "admin"}
# Commands that only read and write the relay need no database.
NO_DATABASE = {"wot", "demo"}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings(os.environ)
        service_secret_key(settings)
    except SettingsError as error:
        print(f"nostr-id: configuration error: {error}", file=sys.stderr)
        return 2
    configure_logging(settings)
    try:
        with with_embedded_defaults(
            settings, database=args.command not in NO_DATABASE, relay=args.command not in NO_RELAY
        ) as resolved:
            return COMMANDS[args.command](resolved, args)
    except EmbeddedUnavailable as error:
        print(f"nostr-id: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
