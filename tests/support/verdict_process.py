"""A process holding Verdicts over Redis, driven line by line on stdin, for the two-process test.

    get KEY          -> prints "<value> loaded" or "<value> kept"
    invalidate KEY   -> prints "ok"
The source of truth is a JSON file both processes read: {key: value}.
"""

import asyncio
import json
import sys
from pathlib import Path

import msgspec

from adapters.cache.redis_cache import RedisCache
from application.verdicts import Verdicts


class Answer(msgspec.Struct, frozen=True):
    value: str


async def main(redis_url: str, namespace: str, source: Path) -> None:
    cache = RedisCache.from_url(redis_url, namespace=namespace, socket_timeout=5.0)
    things = Verdicts(cache).namespace("thing", Answer, ttl=300)
    loop = asyncio.get_running_loop()
    while line := await loop.run_in_executor(None, sys.stdin.readline):
        command, key = line.split()
        if command == "get":
            loaded = False

            async def load(key: str = key) -> Answer:
                nonlocal loaded
                loaded = True
                text = await asyncio.to_thread(source.read_text)
                return Answer(json.loads(text)[key])

            answer = await things.get(key, load)
            print(answer.value, "loaded" if loaded else "kept", flush=True)
        elif command == "invalidate":
            await things.invalidate(key)
            print("ok", flush=True)
    await cache.close()


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], sys.argv[2], Path(sys.argv[3])))
