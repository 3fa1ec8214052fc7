"""A hostile relay in its own process, so memory measured in the test process is the client's only.

    python -m tests.support.hostile_relay --port P --mode stream|big|silent

Whatever REQ it gets, it answers with events of one key without end and never sends EOSE:
`stream` sends notes of about 1 KiB, `big` sends notes whose frames are just under 4 MiB;
`silent` accepts connections and frames and never answers anything.
It prints `READY <pubkey>` once listening. Tests start one with `hostile_relay(mode)`.
"""

import argparse
import asyncio
import contextlib
import json
import subprocess
import sys
from collections.abc import Iterator

import msgspec
from websockets.asyncio.server import ServerConnection, serve
from websockets.exceptions import ConnectionClosed

from bootstrap.embedded import await_ready_line
from domain.nostr.signing import generate_secret_key, public_key_of, sign_event
from tests.support.tcp_proxy import free_port

BIG_CONTENT = 4 * 1024 * 1024 - 2048


def _events(mode: str) -> tuple[str, list[bytes]]:
    secret = generate_secret_key()
    contents = ["x" * BIG_CONTENT] if mode == "big" else [f"{n:06d} " + "y" * 1000 for n in range(500)]
    events = [
        sign_event(secret, kind=1, tags=[], content=content, created_at=1_800_000 + n)
        for n, content in enumerate(contents)
    ]
    return public_key_of(secret), [msgspec.json.encode(msgspec.to_builtins(event)) for event in events]


async def _serve(port: int, mode: str) -> None:
    pubkey, encoded = _events(mode)

    async def handle(client: ServerConnection) -> None:
        with_tasks: set[asyncio.Task[None]] = set()

        async def flood(subscription_id: str) -> None:
            prefix = json.dumps(["EVENT", subscription_id])[:-1].encode() + b","
            with contextlib.suppress(ConnectionClosed):
                while True:
                    for event in encoded:
                        await client.send(prefix + event + b"]", text=True)

        try:
            async for frame in client:
                message = json.loads(frame)
                if message[0] == "REQ" and mode != "silent":
                    task = asyncio.create_task(flood(message[1]))
                    with_tasks.add(task)
        except ConnectionClosed:
            pass
        finally:
            for task in with_tasks:
                task.cancel()

    async with serve(handle, "127.0.0.1", port, max_size=None):
        print(f"READY {pubkey}", flush=True)
        await asyncio.Future()


def hostile_relay(mode: str) -> Iterator[tuple[str, str]]:
    """Runs the relay in its own process for a fixture: yields its URL and its pubkey."""
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "tests.support.hostile_relay", "--port", str(port), "--mode", mode],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        pubkey = await_ready_line(process, 30)
        assert pubkey is not None, "the hostile relay did not start"
        yield f"ws://127.0.0.1:{port}", pubkey
    finally:
        process.kill()
        process.wait(timeout=10)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--mode", choices=["stream", "big", "silent"], required=True)
    arguments = parser.parse_args()
    asyncio.run(_serve(arguments.port, arguments.mode))


if __name__ == "__main__":
    main()
