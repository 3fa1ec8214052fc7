"""The `nostr-id` command line."""

import argparse
import logging
import os
import sys
from collections.abc import Sequence

import psycopg

from bootstrap.embedded import EmbeddedUnavailable, export_to_environment, with_embedded_defaults
from bootstrap.keys import service_secret_key
from bootstrap.settings import Settings, SettingsError, load_settings

log = logging.getLogger("nostr_id")


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="nostr-id", description="Nostr identity service")
    commands = parser.add_subparsers(dest="command", required=True)

    serve = commands.add_parser("serve", help="serve the HTTP API")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument("--workers", type=int, default=1)

    migrate = commands.add_parser("migrate", help="apply, roll back or list database migrations")
    steps = migrate.add_subparsers(dest="step")
    steps.add_parser("apply", help="apply every pending migration (the default)")
    rollback = steps.add_parser("rollback", help="roll back the last migration")
    rollback.add_argument("--all", action="store_true", help="roll back every migration")
    steps.add_parser("list", help="list migrations and whether each is applied")
    return parser


def _serve(settings: Settings, args: argparse.Namespace) -> int:
    from granian.constants import Interfaces
    from granian.server import Server

    export_to_environment(settings)
    workers = args.workers
    if workers > 1 and settings.redis_url is None:
        log.warning("REDIS_URL is unset: the in-process cache is per process, so serving with one worker")
        workers = 1
    server = Server(
        "bootstrap.asgi:app_from_environment",
        address=args.host,
        port=args.port,
        workers=workers,
        interface=Interfaces.ASGI,
        factory=True,
    )
    server.serve()
    return 0


def _migrate(settings: Settings, args: argparse.Namespace) -> int:
    from adapters.postgres.migrations import apply_migrations, list_migrations, rollback_migrations

    assert settings.database_url is not None
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


COMMANDS = {"serve": _serve, "migrate": _migrate}
NO_RELAY = {"migrate"}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        settings = load_settings(os.environ)
        service_secret_key(settings)
    except SettingsError as error:
        print(f"nostr-id: configuration error: {error}", file=sys.stderr)
        return 2
    logging.basicConfig(level=settings.log_level, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    try:
        with with_embedded_defaults(settings, relay=args.command not in NO_RELAY) as resolved:
            return COMMANDS[args.command](resolved, args)
    except EmbeddedUnavailable as error:
        print(f"nostr-id: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130


if __name__ == "__main__":
    raise SystemExit(main())
