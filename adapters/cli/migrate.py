"""`nostr-id migrate [apply|rollback [--all]|list]`: prints each migration and whether it is applied."""

import sys
from collections.abc import Callable, Sequence

import psycopg

Migrations = Sequence[tuple[str, bool]]


def migrate(
    step: str,
    apply: Callable[[], object],
    rollback: Callable[[], object],
    listing: Callable[[], Migrations],
) -> int:
    try:
        if step == "apply":
            apply()
        elif step == "rollback":
            rollback()
        migrations = listing()
    except psycopg.OperationalError as error:
        print(f"nostr-id: the database is unreachable: {str(error).splitlines()[0]}", file=sys.stderr)
        return 1
    for migration_id, applied in migrations:
        print(f"[{'x' if applied else ' '}] {migration_id}")
    return 0
