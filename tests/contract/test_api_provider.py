"""Provider verification: the real app (real container, real PostgreSQL, the memory relay and
cache), served by granian on a loopback port, answers every interaction of the client's pact.
Provider states set up their records in PostgreSQL through the real repositories."""

import os
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from pact import Verifier

from adapters.postgres.migrations import apply_migrations
from domain.nostr.signing import generate_secret_key
from tests.contract import api_states as world
from tests.support.plans import ROOMY_PLANS_ENV
from tests.support.serve import wait_ready
from tests.support.tcp_proxy import free_port

pytestmark = pytest.mark.integration

PACT = Path(__file__).parent / "pacts" / "nostr-id-client-nostr-id.json"
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def provider_database(make_empty_database) -> str:
    dsn = make_empty_database()
    apply_migrations(dsn)
    return dsn


@pytest.fixture
def provider(provider_database: str) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "ENVIRONMENT": "test",
        "DATABASE_URL": provider_database,
        "RELAY_URLS": "memory://",
        "PUBLIC_URL": world.PUBLIC_URL,
        "JWT_SECRET": world.JWT_SECRET,
        "SERVICE_NSEC": generate_secret_key(),
        "LOG_LEVEL": "WARNING",
        # The provider states give Alice several names and domains: a roomy free plan holds them.
        "BILLING_PLANS": ROOMY_PLANS_ENV,
        "PYTHONPATH": str(ROOT),
    }
    env.pop("REDIS_URL", None)
    command = [sys.executable, "-m", "granian", "--interface", "asgi", "--factory", "--workers", "1"]
    command += ["--host", "127.0.0.1", "--port", str(port), "tests.support.pact_provider_app:app"]
    served = subprocess.Popen(
        command, env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
    )
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base_url, served)
        yield base_url
    finally:
        served.terminate()
        served.wait(timeout=30)


def test_the_app_honours_the_pact_of_the_python_client(provider: str, provider_database: str) -> None:
    assert PACT.exists(), "run the consumer tests first: they write the pact"

    def set_up_state(state: str, action: str = "setup", parameters: dict | None = None) -> None:
        if action == "setup" and state:
            world.set_up(state, provider_database)

    verifier = (
        Verifier("nostr-id", host="127.0.0.1")
        .add_transport(url=provider)
        .add_source(str(PACT))
        .state_handler(set_up_state, teardown=False)
    )
    verifier.verify()
