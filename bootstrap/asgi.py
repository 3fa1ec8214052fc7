"""Entry point for the ASGI server's workers: settings from the environment, then the app."""

import gc
import logging
import os

from litestar import Litestar

from bootstrap.container import Container, describe
from bootstrap.http_app import app_of
from bootstrap.logs import configure_logging
from bootstrap.settings import load_settings

log = logging.getLogger("nostr_id")


def app_from_environment() -> Litestar:
    """Called once per worker process; the parent already resolved embedded services into env."""
    settings = load_settings(os.environ)
    configure_logging(settings)
    for port, adapter in describe(settings).items():
        log.info("%s port played by %s", port, adapter)
    container = Container(settings=settings)
    # The trust seeds are resolved once, now; SIGHUP starts fresh workers that resolve them again.
    container.wot.wot_settings()
    app = app_of(container)
    # Everything built so far lives as long as the process: keep it out of the garbage collector's
    # full collections, whose pauses otherwise show in the latency tail of every request.
    gc.freeze()
    return app
