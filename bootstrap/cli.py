"""The `nostr-id` console script: settings, embedded defaults, the container, and each command of the
command-line adapter (`adapters/cli`) handed the collaborators it runs; `serve` runs granian here."""

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

from adapters.cli import admin, wot
from adapters.cli.migrate import migrate
from adapters.cli.parser import command_line_parser
from bootstrap.container import Container
from bootstrap.embedded import EmbeddedUnavailable, export_to_environment, with_embedded_defaults
from bootstrap.job_commands import run_jobs
from bootstrap.keys import service_secret_key
from bootstrap.logs import configure_logging, server_log_config
from bootstrap.settings import Settings, SettingsError, load_settings
from bootstrap.wiring.wot import reload_wot_settings
from bootstrap.wot_reload import serving_pid, signal_serve, tell_seeds_changed
from bootstrap.wot_settings import remember_demo
from domain.shared.errors import DependencyUnavailable

log = logging.getLogger("nostr_id")


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

    url = settings.database_url
    assert url is not None
    logging.getLogger("yoyo").setLevel(logging.WARNING)
    return migrate(
        args.step or "apply",
        apply=lambda: apply_migrations(url),
        rollback=lambda: rollback_migrations(url, all=args.all),
        listing=lambda: list_migrations(url),
    )


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


async def wot_score(container: Container, pubkey: str, as_json: bool) -> int:
    """`nostr-id wot score`, run on a container whose relay is started."""
    wot_container = container.wot
    return await wot.wot_score(
        wot_container.compute_wot_figures(),
        wot_container.wot_neighbourhood(),
        wot_container.wot_settings().build_deadline,
        pubkey,
        as_json,
    )


async def demo_seed(container: Container, users: int, seed: int) -> int:
    """`nostr-id demo seed`: publishes the demo graph, records its seeds under DATA_DIR, takes them in
    this container and tells a running service (through the shared cache, and by SIGHUP to a
    `nostr-id serve` on the same DATA_DIR)."""
    settings: Settings = container.settings()
    seeded = await wot.publish_demo(container.wot.seed_demo_graph(), users, seed)
    if isinstance(seeded, int):
        return seeded
    path = remember_demo(settings.data_dir, seeded)
    reload_wot_settings(container.wot)
    try:
        await tell_seeds_changed(container.cache())
    except DependencyUnavailable as error:
        print(f"nostr-id: the running service was not told ({error}); send it SIGHUP", file=sys.stderr)
    how: str | None = None
    if settings.wot_seeds:
        how = "WOT_SEEDS is set, so scores use it rather than the demo seeds."
    elif (pid := signal_serve(settings.data_dir)) is not None:
        how = f"The running `nostr-id serve` (process {pid}) was told; it uses them in a few seconds."
    elif settings.redis_url is None:
        how = "A running `nostr-id serve` elsewhere uses them after a SIGHUP."
    return wot.print_demo(seeded, path, how)


def _wot(settings: Settings, args: argparse.Namespace) -> int:
    return asyncio.run(_with_container(settings, lambda c: wot_score(c, args.pubkey, args.json)))


async def _with_database(settings: Settings, command: Callable[[Container], Awaitable[int]]) -> int:
    """Runs a database command: the database pool and the cache are started, the relay is not."""
    return await _with_resources(settings, command, lambda c: (c.db_pool_lifecycle, c.cache_lifecycle))


def _admin(settings: Settings, args: argparse.Namespace) -> int:
    if args.admin_command in ("suspend-user", "unsuspend-user"):
        suspended = args.admin_command == "suspend-user"
        return asyncio.run(
            _with_database(
                settings,
                lambda c: admin.set_user_suspension(
                    c.unit_of_work, c.admin.set_suspension(), args.pubkey, suspended
                ),
            )
        )
    return asyncio.run(
        _with_database(settings, lambda c: admin.grant_role(c.auth.change_role(), args.pubkey, args.role))
    )


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
    args = command_line_parser().parse_args(argv)
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
