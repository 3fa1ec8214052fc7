"""Schema migrations with yoyo: apply, roll back and list the plain-SQL files in `migrations/`."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from yoyo import get_backend, read_migrations
from yoyo.backends.base import DatabaseBackend
from yoyo.migrations import MigrationList

YOYO_SCHEME = "postgresql+psycopg"
PLAIN_SCHEMES = frozenset({"postgresql", "postgres", YOYO_SCHEME})
CONNECT_TIMEOUT_SECONDS = "10"
LOCK_TIMEOUT_SECONDS = 30


def default_migrations_dir() -> Path:
    """The `migrations/` folder at the project root, beside the `adapters` package."""
    return Path(__file__).resolve().parents[2] / "migrations"


def yoyo_url(dsn: str) -> str:
    """Turns a `postgresql://` DSN into the URL yoyo expects, with a connect timeout."""
    parts = urlsplit(dsn)
    if parts.scheme not in PLAIN_SCHEMES:
        raise ValueError(f"expected a postgresql:// URL, got scheme {parts.scheme!r}")
    query = dict(parse_qsl(parts.query))
    query.setdefault("connect_timeout", CONNECT_TIMEOUT_SECONDS)
    return urlunsplit((YOYO_SCHEME, parts.netloc, parts.path, urlencode(query), parts.fragment))


def _read(migrations_dir: Path | None) -> MigrationList:
    directory = migrations_dir or default_migrations_dir()
    if not directory.is_dir():
        raise FileNotFoundError(f"migrations directory not found: {directory}")
    return read_migrations(str(directory))


@contextmanager
def _backend(dsn: str) -> Iterator[DatabaseBackend]:
    backend = get_backend(yoyo_url(dsn))
    try:
        yield backend
    finally:
        backend.connection.close()


def apply_migrations(dsn: str, migrations_dir: Path | None = None) -> list[str]:
    """Applies every pending migration in order; returns the ids applied.

    Each migration runs in its own transaction: one that fails leaves no trace and stops the run.
    """
    migrations = _read(migrations_dir)
    with _backend(dsn) as backend, backend.lock(timeout=LOCK_TIMEOUT_SECONDS):
        pending = backend.to_apply(migrations)
        backend.apply_migrations(pending)
        return [migration.id for migration in pending]


def rollback_migrations(dsn: str, *, all: bool = False, migrations_dir: Path | None = None) -> list[str]:
    """Rolls back the last applied migration, or every one with `all=True`; returns the ids undone."""
    migrations = _read(migrations_dir)
    with _backend(dsn) as backend, backend.lock(timeout=LOCK_TIMEOUT_SECONDS):
        applied = backend.to_rollback(migrations)
        chosen = applied if all else applied[:1]
        backend.rollback_migrations(chosen)
        return [migration.id for migration in chosen]


def list_migrations(dsn: str, migrations_dir: Path | None = None) -> list[tuple[str, bool]]:
    """Every known migration id in order, with whether it is applied."""
    migrations = _read(migrations_dir)
    with _backend(dsn) as backend:
        return [(migration.id, backend.is_applied(migration)) for migration in migrations]
