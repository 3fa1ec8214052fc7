"""H1 by property-based testing: schemathesis reads `/schema` of a running `nostr-id serve` (the real
container: the test PostgreSQL, the memory relay and cache) and checks every answer against it:
no 5xx, only documented statuses, content types, headers and bodies, bad input refused, good input
accepted. Deterministic: derandomized, a bounded number of examples per operation."""

import os
import subprocess
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode

from adapters.http.fields import PUBKEY_FORMAT
from domain.nostr.nip19 import encode_npub
from tests.support.serve import CLI, wait_ready
from tests.support.tcp_proxy import free_port

EXAMPLES = 200

# Valid pubkeys in either text form, so schema-valid requests carry npubs whose checksum holds.
_keys = st.binary(min_size=32, max_size=32).map(bytes.hex)
schemathesis.openapi.format(PUBKEY_FORMAT, st.one_of(_keys, _keys.map(str.upper), _keys.map(encode_npub)))


@pytest.fixture(scope="module")
def served_api(postgres_dsn, tmp_path_factory) -> Iterator[str]:
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": postgres_dsn,
        "RELAY_URLS": "memory://",
        "DATA_DIR": str(tmp_path_factory.mktemp("serve")),
        "LOG_LEVEL": "WARNING",
        # Thousands of generated requests from one address: rate limits are tested on their own.
        "RATE_LIMIT_ANONYMOUS": "1000000",
        "RATE_LIMIT_SIGN_IN": "1000000",
        "RATE_LIMIT_API_KEY": "1000000",
    }
    env.pop("REDIS_URL", None)
    serve = subprocess.Popen([*CLI, "serve", "--port", str(port)], env=env, stderr=subprocess.DEVNULL)
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base_url, serve)
        yield base_url
    finally:
        serve.terminate()
        serve.wait(timeout=30)


@pytest.mark.parametrize("mode", [GenerationMode.POSITIVE, GenerationMode.NEGATIVE], ids=str)
def test_h1_the_live_api_answers_as_its_schema_says(served_api, mode):
    schema = schemathesis.openapi.from_url(f"{served_api}/schema/openapi.json")
    assert len(list(schema.get_all_operations())) >= 4

    @given(case=schema.as_strategy(generation_mode=mode))
    @settings(
        derandomize=True,
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=list(HealthCheck),
    )
    def answers_as_documented(case):
        case.call_and_validate()

    answers_as_documented()
