"""`nostr-id admin suspend-user` reaches a running `nostr-id serve` without Redis: the in-process
cache's invalidations are carried through PostgreSQL, so the suspended account's names stop being
served within a second (shown by polling under a hard guard)."""

import asyncio
import os
import subprocess

import httpx
import pytest

from tests import builders
from tests.integration.names.support import DEFAULT_DOMAIN, add_user, names_container, serving
from tests.support.serve import CLI, wait_ready
from tests.support.tcp_proxy import free_port

# The README's promise: a change made by any process is heard by every serving process within a second.
HEARD_WITHIN = 1.0


def _start_serving(env: dict[str, str], port: int) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [*CLI, "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.mark.timeout(180)
async def test_suspend_user_on_the_command_line_stops_a_running_servers_names_within_a_second(
    postgres_dsn, tmp_path
):
    setup = names_container(postgres_dsn, None)
    async with serving(setup):
        owner = await add_user(setup)
        name = builders.nip05(owner.id, domain=DEFAULT_DOMAIN, pubkey=owner.pubkey)
        async with setup.unit_of_work() as uow:
            await uow.nip05_names.add(name)
            await uow.commit()

    env = {
        **os.environ,
        "DATABASE_URL": postgres_dsn,
        "RELAY_URLS": "memory://",
        "DEFAULT_DOMAIN": DEFAULT_DOMAIN,
        "DATA_DIR": str(tmp_path),
    }
    env.pop("REDIS_URL", None)
    port = free_port()
    base_url = f"http://127.0.0.1:{port}"
    serve = _start_serving(env, port)
    try:
        await asyncio.to_thread(wait_ready, base_url, serve)
        async with httpx.AsyncClient(
            base_url=base_url, headers={"Host": DEFAULT_DOMAIN}, timeout=5
        ) as client:

            async def served() -> dict[str, str]:
                response = await client.get("/.well-known/nostr.json", params={"name": name.name})
                assert response.status_code == 200
                return response.json()["names"]

            assert await served() == {name.name: owner.pubkey}
            assert await served() == {name.name: owner.pubkey}  # the answer is now kept in-process

            suspend = await asyncio.to_thread(
                subprocess.run,
                [*CLI, "admin", "suspend-user", owner.pubkey],
                env=env,
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert suspend.returncode == 0, suspend.stderr

            async with asyncio.timeout(HEARD_WITHIN):
                while await served():  # noqa: ASYNC110 - the change is another process's
                    await asyncio.sleep(0.02)
    finally:
        serve.terminate()
        serve.communicate(timeout=60)
