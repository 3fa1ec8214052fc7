"""granian's server with the drain of bootstrap/drain.py: SIGTERM first takes the process out of
the load balancer, then stops it."""

import logging
import signal
import threading
from pathlib import Path
from typing import Any

from granian.server import Server

log = logging.getLogger("nostr_id")

# Seconds a worker's requests in flight get to finish once it is told to stop; then it is killed.
IN_FLIGHT_GRACE = 10


class DrainingServer(Server):  # type: ignore[misc, valid-type]
    """granian's server, with SIGTERM starting the drain instead of stopping at once."""

    def __init__(self, *args: Any, drain_file: Path, drain_seconds: float, **kwargs: Any) -> None:
        super().__init__(*args, workers_kill_timeout=IN_FLIGHT_GRACE, **kwargs)
        self._drain_file = drain_file
        self._drain_seconds = drain_seconds
        self._drain_started = threading.Event()

    def signal_handler_interrupt(self, signum: int | None = None, *args: Any, **kwargs: Any) -> None:
        if signum != signal.SIGTERM or self._drain_started.is_set() or self._drain_seconds <= 0:
            super().signal_handler_interrupt(signum, *args, **kwargs)
            return
        self._drain_started.set()
        self._drain_file.touch()
        log.info("SIGTERM: draining for %g s (readiness answers 503), then stopping", self._drain_seconds)
        timer = threading.Timer(self._drain_seconds, super().signal_handler_interrupt)
        timer.daemon = True
        timer.start()
