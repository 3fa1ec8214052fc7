"""The floor for nostr.json on one ASGI server: a bare ASGI app answering the same bytes and headers.

Served by granian as `bench.nip05_bare_app:app`; reads the body from the file BENCH_NIP05_BODY.
"""

import hashlib
import os
from pathlib import Path
from typing import Any

BODY = Path(os.environ["BENCH_NIP05_BODY"]).read_bytes()
HEADERS = [
    (b"access-control-allow-origin", b"*"),
    (b"cache-control", b"public, max-age=60"),
    (b"etag", b'"' + hashlib.blake2b(BODY, digest_size=12).hexdigest().encode() + b'"'),
    (b"content-type", b"application/json"),
    (b"content-length", str(len(BODY)).encode()),
]


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    if scope["type"] != "http":
        return
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})
