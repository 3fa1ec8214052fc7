"""A real Nostr client library verifies our names: nostr-tools `nip05.queryProfile` (tests/js, pinned)
against `nostr-id serve`, for the service's domain and a verified custom domain."""

import asyncio
import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from domain.audit.entries import Actor
from domain.auth.users import UserRole
from tests.integration.names.support import add_user, names_container, serving
from tests.support.serve import CLI, wait_ready
from tests.support.tcp_proxy import free_port

pytestmark = pytest.mark.integration
JS = Path(__file__).resolve().parents[1] / "js"
CUSTOM = "carol-names.org"
# A domain of this test's own: the session's database is shared with the other name tests.
DEFAULT_DOMAIN = "e2e.nostr-id.test"


def _query(base_url: str, *identifiers: str) -> dict[str, dict | None]:
    node = shutil.which("node")
    assert node is not None, "node is required"
    assert (JS / "node_modules" / "nostr-tools").is_dir(), "run scripts/ensure-js.sh"
    done = subprocess.run(
        [node, str(JS / "nip05_query.mjs"), base_url, *identifiers],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=JS,
    )
    assert done.returncode == 0, done.stderr
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    return {line["identifier"]: line["profile"] for line in lines}


@pytest.fixture
def served(postgres_dsn, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": postgres_dsn,
        "RELAY_URLS": "memory://",
        "DEFAULT_DOMAIN": DEFAULT_DOMAIN,
        "DATA_DIR": str(tmp_path),
    }
    env.pop("REDIS_URL", None)
    port = free_port()
    serve = subprocess.Popen([*CLI, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL)
    base_url = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base_url, serve)
        yield base_url
    finally:
        serve.terminate()
        serve.wait(timeout=30)


async def test_d1_nostr_tools_verifies_names_on_our_domain_and_a_custom_domain(postgres_dsn, served):
    container = names_container(postgres_dsn, None, DEFAULT_DOMAIN=DEFAULT_DOMAIN)
    async with serving(container):
        alice, carol = await add_user(container), await add_user(container)
        admin = await add_user(container, UserRole.ADMIN)
        await container.names.register_name()(alice.id, "alice", relays=["wss://relay.alice.example"])
        hidden = await container.names.register_name()(alice.id, "hidden")
        await container.admin.suspend_name()(Actor(user_id=admin.id), hidden.id)
        claimed = await container.names.add_domain()(carol.id, CUSTOM)
        async with container.unit_of_work() as uow:
            await uow.domains.update(claimed.mark_verified(claimed.created_at))
            await uow.commit()
        await container.names.register_name()(carol.id, "carol", domain=CUSTOM)
        await container.names.register_name()(carol.id, "_", domain=CUSTOM)

    found = await asyncio.to_thread(
        _query,
        served,
        f"alice@{DEFAULT_DOMAIN}",
        f"ALICE@{DEFAULT_DOMAIN}",
        f"carol@{CUSTOM}",
        CUSTOM,
        f"nobody@{DEFAULT_DOMAIN}",
        f"hidden@{DEFAULT_DOMAIN}",
        f"alice@{CUSTOM}",
    )

    assert found[f"alice@{DEFAULT_DOMAIN}"] == {
        "pubkey": alice.pubkey,
        "relays": ["wss://relay.alice.example"],
    }
    assert found[f"ALICE@{DEFAULT_DOMAIN}"] == {
        "pubkey": alice.pubkey,
        "relays": ["wss://relay.alice.example"],
    }
    assert found[f"carol@{CUSTOM}"] == {"pubkey": carol.pubkey, "relays": []}
    assert found[CUSTOM] == {"pubkey": carol.pubkey, "relays": []}
    assert found[f"nobody@{DEFAULT_DOMAIN}"] is None
    assert found[f"hidden@{DEFAULT_DOMAIN}"] is None
    assert found[f"alice@{CUSTOM}"] is None
