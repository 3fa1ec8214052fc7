"""Lightning address callback to invoice, over a local NIP-47 wallet, beside the wallet's own time.

Runs a relay process (the embedded LocalRelay), a NIP-47 wallet service on it
(tests/support/nwc_wallet_service.py, on an event loop of its own), a fresh PostgreSQL database, and
the service's app from `create_app(Container(settings=...))` in this process (httpx's ASGI transport,
as tests/integration/names/support.py serves it). Each round asks the callback for a zap invoice
(zap request and amount checks, the NWC round trip, the bolt11 check, the pending zap row) and,
interleaved, asks the wallet directly with `make_invoice` through the same NWC adapter. Our overhead
is the difference of the two medians.

    .venv/bin/python -m bench.zaps [--requests 300] [--smoke]
"""

import argparse
import asyncio
import os
import secrets
import time
from datetime import UTC, datetime

import msgspec
import psycopg
from psycopg import sql

from adapters.nwc.memory_wallet_service import NwcWalletService, running_in_thread
from adapters.nwc.nostr_wallet_connect import NostrWalletConnection
from adapters.postgres.migrations import apply_migrations
from bench.support import parse_args, relay_process, serving
from bootstrap.container import Container
from bootstrap.settings import load_settings
from domain.auth.users import User
from domain.nostr.signing import generate_secret_key, public_key_of, sign_event
from domain.zaps.pay_request import description_hash

ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
DOMAIN = "bench.nostr-id.test"
WALLET_KEYS = "bench-wallet-secret-key-for-sealing-nwc-urls"


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(share * (len(ordered) - 1)))]


async def measure(dsn: str, relay_url: str, requests: int) -> None:
    service = NwcWalletService(relay_url)
    settings = load_settings(
        {
            "ENVIRONMENT": "test",
            "DATABASE_URL": dsn,
            "RELAY_URLS": "memory://",
            "DEFAULT_DOMAIN": DOMAIN,
            "PUBLIC_URL": "http://bench.local",
            "JWT_SECRET": secrets.token_hex(32),
            "SERVICE_NSEC": generate_secret_key(),
            "WALLET_SECRET_KEYS": WALLET_KEYS,
            "RATE_LIMIT_SIGN_IN": "1000000",
            "LOG_LEVEL": "WARNING",
        }
    )
    container = Container(settings=settings)
    container.zaps.pay_settings.override(
        msgspec.structs.replace(
            container.zaps.pay_settings(),
            per_name=msgspec.structs.replace(container.zaps.pay_settings().per_name, limit=1_000_000),
        )
    )
    nwc = NostrWalletConnection()
    with running_in_thread(service):
        async with serving(container) as http:
            user = User.register(public_key_of(generate_secret_key()), datetime.now(UTC))
            async with container.unit_of_work() as uow:
                await uow.users.add(user)
                await uow.commit()
            await container.names.register_name()(user.id, "bench")
            await container.zaps.connect_wallet()(user.id, service.connection_string)
            callback, direct = [], []
            sender = generate_secret_key()
            for index in range(requests):
                zap = sign_event(
                    sender,
                    kind=9734,
                    tags=[["relays", relay_url], ["p", user.pubkey], ["amount", "21000"]],
                    content=str(index),
                    created_at=1_700_000_000,
                )
                nostr = msgspec.json.encode(zap).decode()
                started = time.perf_counter()
                answer = await http.get(
                    f"/api/v1/lnurlp/{DOMAIN}/bench/callback", params={"amount": "21000", "nostr": nostr}
                )
                callback.append(time.perf_counter() - started)
                assert answer.status_code == 200, answer.text
                started = time.perf_counter()
                await nwc.make_invoice(
                    service.uri, amount_msat=21_000, description_hash=description_hash(nostr), expiry=600
                )
                direct.append(time.perf_counter() - started)
    for label, values in (("callback to invoice", callback), ("wallet make_invoice over NWC", direct)):
        print(
            f"{label}: p50 {_percentile(values, 0.5) * 1000:.1f} ms, "
            f"p99 {_percentile(values, 0.99) * 1000:.1f} ms ({len(values)} requests)"
        )
    overhead = (_percentile(callback, 0.5) - _percentile(direct, 0.5)) * 1000
    print(f"our overhead at p50: {overhead:.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=300)
    args = parse_args(parser, requests=5)
    database = "nostr_id_bench_" + secrets.token_hex(4)
    with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(database)))
    dsn = ADMIN_URL.rsplit("/", 1)[0] + "/" + database
    try:
        apply_migrations(dsn)
        with relay_process() as relay_url:
            asyncio.run(measure(dsn, relay_url, args.requests))
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(database)))


if __name__ == "__main__":
    main()
