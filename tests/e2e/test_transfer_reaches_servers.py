"""A name's transfer (N6) reaches every serving process within a second: two `nostr-id serve`
processes share PostgreSQL and Redis; the receiver accepts with one NIP-98 request to the first,
and both answer nostr.json with the receiver's pubkey (shown by polling under a hard guard)."""

import asyncio
import base64
import os
import subprocess
import time

import httpx
import msgspec
import pytest

from domain.audit.entries import Actor
from domain.nostr.signing import generate_secret_key, public_key_of, sign_event
from tests import builders
from tests.integration.names.support import DEFAULT_DOMAIN, add_user, names_container, serving
from tests.support.serve import CLI, wait_ready
from tests.support.tcp_proxy import free_port

HEARD_WITHIN = 1.0


def _start_serving(env: dict[str, str], port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*CLI, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _nip98(secret: str, url: str, method: str) -> dict[str, str]:
    event = sign_event(
        secret, kind=27235, tags=[["u", url], ["method", method]], content="", created_at=int(time.time())
    )
    return {"Authorization": "Nostr " + base64.b64encode(msgspec.json.encode(event)).decode()}


@pytest.mark.timeout(240)
async def test_n6_an_accepted_transfer_is_served_by_every_process_within_a_second(
    postgres_dsn, redis_url, tmp_path
):
    receiver_secret = generate_secret_key()
    receiver_pubkey = public_key_of(receiver_secret)
    setup = names_container(postgres_dsn, None, REDIS_URL=redis_url)
    async with serving(setup):
        giver = await add_user(setup)
        name = builders.nip05(giver.id, domain=DEFAULT_DOMAIN, pubkey=giver.pubkey)
        async with setup.unit_of_work() as uow:
            await uow.nip05_names.add(name)
            await uow.commit()
        offer = await setup.names.offer_name()(
            Actor(user_id=giver.id, pubkey=giver.pubkey), name.id, receiver_pubkey
        )

    ports = [free_port(), free_port()]
    bases = [f"http://127.0.0.1:{port}" for port in ports]
    common = {
        **os.environ,
        "DATABASE_URL": postgres_dsn,
        "REDIS_URL": redis_url,
        "RELAY_URLS": "memory://",
        "DEFAULT_DOMAIN": DEFAULT_DOMAIN,
        "DATA_DIR": str(tmp_path),
        "LOG_LEVEL": "WARNING",
    }
    servers = [
        _start_serving({**common, "PUBLIC_URL": base}, port) for base, port in zip(bases, ports, strict=True)
    ]
    try:
        for base, server in zip(bases, servers, strict=True):
            await asyncio.to_thread(wait_ready, base, server)
        clients = [
            httpx.AsyncClient(base_url=base, headers={"Host": DEFAULT_DOMAIN}, timeout=5) for base in bases
        ]

        async def served(client: httpx.AsyncClient) -> dict[str, str]:
            response = await client.get("/.well-known/nostr.json", params={"name": name.name})
            assert response.status_code == 200
            return response.json()["names"]

        for client in clients:
            assert await served(client) == {name.name: giver.pubkey}
            assert await served(client) == {name.name: giver.pubkey}  # now kept in-process

        path = f"/api/v1/nip05/offers/{offer.id}/accept"
        async with httpx.AsyncClient(base_url=bases[0], timeout=10) as first:
            accepted = await first.post(path, headers=_nip98(receiver_secret, bases[0] + path, "POST"))
        assert accepted.status_code == 200, accepted.text

        async with asyncio.timeout(HEARD_WITHIN):
            for client in clients:
                while await served(client) != {name.name: receiver_pubkey}:  # noqa: ASYNC110 - another process's change
                    await asyncio.sleep(0.02)
        for client in clients:
            await client.aclose()
    finally:
        for server in servers:
            server.terminate()
        for server in servers:
            server.communicate(timeout=60)
