"""How `nostr-id serve` stops on SIGTERM: it drains, so a load balancer loses no request.

1. The main process marks the drain in a file under DATA_DIR that every worker sees: from then on
   `/health/ready` answers 503 ("draining") and the balancer's health checks take the server out,
   while every request, the probes aside, is still served.
2. After DRAIN_SECONDS it stops granian: each worker stops accepting, lets the requests in flight
   finish (for at most IN_FLIGHT_GRACE seconds, after which it is killed), runs the app's shutdown
   (the usage flusher adds the API key use counted in the process to PostgreSQL) and exits.
3. The process exits 0.

A second SIGTERM during the drain, or SIGINT (Ctrl-C), goes to step 2 at once. Only the main process
should be sent SIGTERM (systemd's `KillMode=mixed`): a worker signalled itself stops without a drain.
"""

import contextlib
from collections.abc import Iterator
from pathlib import Path

DRAIN_FILE = "serve.draining"


class DrainState:
    """Whether this `nostr-id serve` is draining: read by each worker's readiness probe."""

    def __init__(self, data_dir: Path) -> None:
        self._path = Path(data_dir) / DRAIN_FILE

    def draining(self) -> bool:
        return self._path.exists()


@contextlib.contextmanager
def drain_marker(data_dir: Path) -> Iterator[Path]:
    """The drain file's path, absent while serving starts and removed when it ends."""
    path = Path(data_dir) / DRAIN_FILE
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    try:
        yield path
    finally:
        path.unlink(missing_ok=True)
