"""A zap from a client's side: nostr-tools' NIP-57 helpers (tests/js/zap.mjs) against `nostr-id serve`.

The owner's wallet is a NIP-47 wallet service on a real relay process: our small one
(tests/support/nwc_wallet_service.py), or @getalby/sdk's NWCWalletService in Node.js over an LNbits
wallet (FakeWallet), paid by a second LNbits wallet. The receipt arrives on that relay and
nostr-tools accepts it.
"""

import asyncio
import contextlib
import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import bolt11
import msgspec
import pytest
from websockets.asyncio.client import connect

from adapters.nwc.memory_wallet_service import NwcWalletService, running_in_thread
from domain.nostr.signing import generate_secret_key
from tests.fixtures.relay import RelayProcess
from tests.integration.names.support import add_user, names_container, serving
from tests.support.lnbits import Lnbits, start_lnbits
from tests.support.serve import CLI, wait_ready
from tests.support.tcp_proxy import free_port

pytestmark = pytest.mark.integration
JS = Path(__file__).resolve().parents[1] / "js"
DOMAIN = "zaps.nostr-id.test"
WALLET_KEYS = "e2e-wallet-secret-key-for-sealing-nwc-urls"
RECEIPT_GUARD = 60.0


def _node(*args: str, stdin: str | None = None, env: dict[str, str] | None = None) -> dict:
    node = shutil.which("node")
    assert node is not None, "node is required"
    done = subprocess.run(
        [node, str(JS / "zap.mjs"), *args],
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        cwd=JS,
        env={**os.environ, **(env or {})},
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.splitlines()[-1])


async def _receipt(relay_url: str, recipient: str) -> dict:
    async with asyncio.timeout(RECEIPT_GUARD), connect(relay_url) as socket:
        await socket.send(json.dumps(["REQ", "receipts", {"kinds": [9735], "#p": [recipient]}]))
        while True:
            frame = json.loads(await socket.recv())
            if frame[0] == "EVENT":
                return frame[2]


@pytest.fixture
def relay(relay_process: RelayProcess) -> str:
    return relay_process.url


class Served:
    """`nostr-id serve` with two workers (two processes watch the same zap invoices); restartable."""

    def __init__(self, env: dict[str, str], port: int) -> None:
        self.env = env
        self.port = port
        self.base_url = f"http://127.0.0.1:{port}"
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> "Served":
        command = [*CLI, "serve", "--port", str(self.port), "--workers", "2"]
        self._process = subprocess.Popen(command, env=self.env, stdout=subprocess.DEVNULL)
        wait_ready(self.base_url, self._process)
        return self

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            self._process.wait(timeout=30)
            self._process = None


@pytest.fixture
def served(postgres_dsn: str, tmp_path: Path, relay: str):
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": postgres_dsn,
        "RELAY_URLS": relay,
        "DEFAULT_DOMAIN": DOMAIN,
        "PUBLIC_URL": f"http://127.0.0.1:{port}",
        "DATA_DIR": str(tmp_path),
        "SERVICE_NSEC": generate_secret_key(),
        "WALLET_SECRET_KEYS": WALLET_KEYS,
    }
    env.pop("REDIS_URL", None)
    server = Served(env, port).start()
    try:
        yield server
    finally:
        server.stop()


async def test_z4_nostr_tools_zaps_an_address_and_accepts_the_one_receipt_across_a_restart(
    postgres_dsn, served, relay
):
    container = names_container(postgres_dsn, None, DEFAULT_DOMAIN=DOMAIN, WALLET_SECRET_KEYS=WALLET_KEYS)
    service = NwcWalletService(relay)
    with running_in_thread(service):
        async with serving(container):
            owner = await add_user(container)
            await container.names.register_name()(owner.id, "zoe")
            await container.zaps.connect_wallet()(owner.id, service.connection_string)
        profile = {"kind": 0, "pubkey": owner.pubkey, "content": json.dumps({"lud16": f"zoe@{DOMAIN}"})}
        asked = await asyncio.to_thread(
            _node,
            "request",
            served.base_url,
            f"zoe@{DOMAIN}",
            generate_secret_key(),
            relay,
            "21000",
            env={"RECIPIENT_PROFILE": json.dumps(profile)},
        )
        invoice = bolt11.decode(asked["pr"])
        assert invoice.amount_msat == 21_000
        # The service restarts between the invoice and its payment: the zap is kept in PostgreSQL.
        served.stop()
        served.start()
        service.wallet.pay(invoice.payment_hash)
        receipt = await _receipt(relay, owner.pubkey)
        after = names_container(postgres_dsn, None, DEFAULT_DOMAIN=DOMAIN, WALLET_SECRET_KEYS=WALLET_KEYS)
        async with serving(after), after.unit_of_work() as uow:
            assert await uow.pending_zaps.claim(invoice.payment_hash) is None

    assert receipt["pubkey"] == asked["nostrPubkey"]
    tags = {tag[0]: tag[1] for tag in receipt["tags"]}
    assert tags["bolt11"] == asked["pr"]
    assert msgspec.json.decode(tags["description"]) == asked["zapRequest"]
    assert tags["P"] == asked["sender"]
    checked = await asyncio.to_thread(_node, "receipt", stdin=json.dumps(receipt))
    assert checked == {"valid": True, "kind": 9735, "descriptionProblem": None, "sats": 21}


@pytest.fixture(scope="module")
def lnbits(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lnbits]:
    folder = tmp_path_factory.mktemp("lnbits")
    running = start_lnbits(folder / "data", folder / "lnbits.log")
    try:
        yield running
    finally:
        running.stop()


@contextlib.contextmanager
def alby_wallet_service(relay: str, lnbits_url: str, invoice_key: str) -> Iterator[str]:
    """@getalby/sdk's NWCWalletService in Node.js over an LNbits wallet; yields its connection string."""
    node = shutil.which("node")
    assert node is not None, "node is required"
    command = [node, str(JS / "nwc_wallet_service.mjs"), relay, lnbits_url, invoice_key]
    process = subprocess.Popen(command, cwd=JS, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        line = process.stdout.readline()
        assert line, process.stderr.read() if process.stderr else "no output"
        yield json.loads(line)["nwc_url"]
    finally:
        process.kill()
        process.wait(timeout=10)


async def test_z3_z4_an_lnbits_wallet_behind_alby_nwc_is_zapped_and_paid_by_another_lnbits_wallet(
    postgres_dsn, served, relay, lnbits: Lnbits
):
    owner_wallet, payer = lnbits.create_wallet("owner"), lnbits.create_wallet("payer")
    lnbits.fund(payer, 100_000)
    container = names_container(postgres_dsn, None, DEFAULT_DOMAIN=DOMAIN, WALLET_SECRET_KEYS=WALLET_KEYS)
    with alby_wallet_service(relay, lnbits.url, owner_wallet.invoice_key) as nwc_url:
        async with serving(container):
            owner = await add_user(container)
            await container.names.register_name()(owner.id, "yan")
            shown = await container.zaps.connect_wallet()(owner.id, nwc_url)
            assert {"make_invoice", "lookup_invoice"} <= set(shown.methods)
        profile = {"kind": 0, "pubkey": owner.pubkey, "content": json.dumps({"lud16": f"yan@{DOMAIN}"})}
        asked = await asyncio.to_thread(
            _node,
            "request",
            served.base_url,
            f"yan@{DOMAIN}",
            generate_secret_key(),
            relay,
            "21000",
            env={"RECIPIENT_PROFILE": json.dumps(profile)},
        )
        await asyncio.to_thread(lnbits.pay, payer, asked["pr"])
        receipt = await _receipt(relay, owner.pubkey)
    tags = {tag[0]: tag[1] for tag in receipt["tags"]}
    assert tags["bolt11"] == asked["pr"]
    assert tags.get("preimage")
    checked = await asyncio.to_thread(_node, "receipt", stdin=json.dumps(receipt))
    assert checked == {"valid": True, "kind": 9735, "descriptionProblem": None, "sats": 21}
