"""The HTTP app the WoT benchmark serves: the service's own app, built by its container.

Served by granian as `bench.wot_app:create_bench_app` (factory); reads BENCH_RELAY_URL and BENCH_WOT_SEEDS.
The settings come from the environment as for `nostr-id serve` (so REDIS_URL unset means the in-process
cache); only the neighbourhood's build deadline is raised, for the benchmark's large graphs.
"""

import os

import msgspec
from dependency_injector import providers
from litestar import Litestar

from adapters.http.app import create_app
from bootstrap.container import Container
from bootstrap.settings import load_settings

BUILD_DEADLINE = 600.0


def create_bench_app() -> Litestar:
    environment = {
        **os.environ,
        "RELAY_URLS": os.environ["BENCH_RELAY_URL"],
        "WOT_SEEDS": os.environ["BENCH_WOT_SEEDS"],
    }
    container = Container(settings=load_settings(environment))
    wot_settings = msgspec.structs.replace(container.wot.wot_settings(), build_deadline=BUILD_DEADLINE)
    container.wot.wot_settings.override(providers.Object(wot_settings))
    if container.settings().database_url is None:
        # The benchmark reads no database; without DATABASE_URL the pool is left closed.
        container.db_pool_lifecycle.override(providers.Object(None))
    return create_app(container)
