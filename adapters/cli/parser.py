"""The `nostr-id` argument parser."""

import argparse


def command_line_parser() -> argparse.ArgumentParser:
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
