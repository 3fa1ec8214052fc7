"""Embedded defaults: a local PostgreSQL and relay for when DATABASE_URL or RELAY_URLS are unset.

Both run as child processes with their data under DATA_DIR, so `make run` needs no setup. A second
nostr-id process (say `nostr-id demo seed` beside `nostr-id serve`) finds and shares the running ones.
"""

import contextlib
import logging
import os
import select
import socket
import subprocess
import sys
import time
import warnings
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import msgspec

from bootstrap.settings import Settings

log = logging.getLogger("nostr_id.embedded")

RELAY_START_TIMEOUT = 20.0
EMBEDDED_DATABASE = "nostr_id"
DATABASE_EXISTS = "SELECT 1 FROM pg_database WHERE datname = 'nostr_id';"
CREATE_DATABASE = "CREATE DATABASE nostr_id;"


class EmbeddedUnavailable(RuntimeError):
    """The optional `embedded` extra is not installed or an embedded service did not start."""


def _port_answers(url: str) -> bool:
    parts = urlsplit(url)
    if parts.hostname is None or parts.port is None:
        return False
    with contextlib.suppress(OSError), socket.create_connection((parts.hostname, parts.port), timeout=0.5):
        return True
    return False


def _free_port(host: str) -> int:
    with socket.socket() as probe:
        probe.bind((host, 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def embedded_postgres(data_dir: Path) -> Iterator[str]:
    """Starts (or joins) a PostgreSQL server under data_dir/postgres; yields its DSN."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs warns when XDG_RUNTIME_DIR is unset
            import pgserver  # type: ignore[import-untyped]
    except ImportError as error:
        raise EmbeddedUnavailable(
            "DATABASE_URL is unset and the embedded PostgreSQL is not installed: "
            "install the 'embedded' extra or set DATABASE_URL"
        ) from error
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    pgdata = (data_dir / "postgres").resolve()
    pgdata.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(pgdata, cleanup_mode="stop")
    if "(0 rows)" in server.psql(DATABASE_EXISTS):
        server.psql(CREATE_DATABASE)
    try:
        yield server.get_uri(EMBEDDED_DATABASE)
    finally:
        server.cleanup()


@contextlib.contextmanager
def embedded_relay(data_dir: Path, host: str = "127.0.0.1") -> Iterator[str]:
    """Starts a relay process with its events under data_dir/relay, or joins one already running."""
    relay_dir = (data_dir / "relay").resolve()
    relay_dir.mkdir(parents=True, exist_ok=True)
    url_file = relay_dir / "url"
    if url_file.exists():
        known = url_file.read_text().strip()
        if _port_answers(known):
            yield known
            return
    port = _free_port(host)
    command = [
        sys.executable, "-m", "bootstrap.embedded_relay",
        "--host", host, "--port", str(port), "--data-dir", str(relay_dir),
    ]  # fmt: skip
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)  # noqa: S603
    try:
        url = await_ready_line(process)
        if url is None:
            raise EmbeddedUnavailable(
                "RELAY_URLS is unset and the embedded relay did not start: "
                "install the 'embedded' extra or set RELAY_URLS"
            )
        url_file.write_text(url)
        yield url
    finally:
        with contextlib.suppress(FileNotFoundError):
            if url_file.read_text().strip() == f"ws://{host}:{port}":
                url_file.unlink()
        process.terminate()
        try:
            process.wait(timeout=5)
        except subprocess.TimeoutExpired:
            process.kill()


def await_ready_line(process: subprocess.Popen[str], timeout: float = RELAY_START_TIMEOUT) -> str | None:
    """The URL from the process's `READY <url>` line, or None when it exits or stays silent too long."""
    assert process.stdout is not None
    descriptor = process.stdout.fileno()  # read unbuffered, so select() sees every line
    deadline = time.monotonic() + timeout
    pending = b""
    while (remaining := deadline - time.monotonic()) > 0:
        readable, _, _ = select.select([descriptor], [], [], remaining)
        if not readable:
            break
        chunk = os.read(descriptor, 4096)
        if not chunk:
            break
        pending += chunk
        *lines, pending = pending.split(b"\n")
        for line in lines:
            if line.startswith(b"READY "):
                return line.split(b" ", 1)[1].strip().decode()
    return None


@contextlib.contextmanager
def with_embedded_defaults(
    settings: Settings, *, database: bool = True, relay: bool = True
) -> Iterator[Settings]:
    """Yields settings whose DATABASE_URL and RELAY_URLS point at embedded services where unset."""
    with contextlib.ExitStack() as stack:
        changes: dict[str, object] = {}
        embedded: list[str] = []
        if database and settings.database_url is None:
            changes["database_url"] = stack.enter_context(embedded_postgres(settings.data_dir))
            embedded.append("database")
        if relay and not settings.relay_urls:
            changes["relay_urls"] = (stack.enter_context(embedded_relay(settings.data_dir)),)
            embedded.append("relay")
        yield msgspec.structs.replace(settings, embedded=tuple(embedded), **changes)


def export_to_environment(settings: Settings) -> None:
    """Lets worker processes see the embedded services the parent started."""
    if settings.database_url:
        os.environ["DATABASE_URL"] = settings.database_url
    if settings.relay_urls:
        os.environ["RELAY_URLS"] = ",".join(settings.relay_urls)
    if settings.embedded:
        os.environ["NOSTR_ID_EMBEDDED"] = ",".join(settings.embedded)
