"""The fleet under faults (promises F1, F2, F3): HAProxy (deploy/haproxy/haproxy.cfg) in front of
three `nostr-id serve` processes on one fresh PostgreSQL database, one Redis (a server of the test's
own) and one relay process, with Prometheus (deploy/prometheus/) scraping every process.

One run feeds every test of the module. A mixed load goes through the balancer (sign-ins, name
registrations, nostr.json reads, keyed WoT reads, purchases settled by the fake provider's signed
webhook, every other one delivered twice more) while faults come one window at a time: a server is
SIGKILLed and restarted, another SIGTERMed (it drains) and restarted, Redis restarts empty, the
relay restarts. PostgreSQL is the machine's shared server, which the test cannot restart: its
outage is a cut of every connection (the servers reach it through a TCP proxy the test switches
off and on). During the run the balancer's view of the backend is sampled from its stats socket.
"""

import asyncio
import os
import re
import secrets
import subprocess
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg
import pytest

from adapters.payments.signatures import hmac_sha256_hex
from client import NostrIdClient
from client.nostr import NostrSigner
from tests.fixtures.postgres import migrated_database
from tests.fixtures.relay import RelayProcess
from tests.support.fleet import PROMETHEUS_DIRECTORY, Haproxy, Prometheus, ServeProcess, render_prometheus
from tests.support.redis_server import RedisServer
from tests.support.serve import CLI
from tests.support.tcp_proxy import TcpProxy, free_port

DOMAIN = "fleet.test"
WEBHOOK_SECRET = secrets.token_hex(32)
DRAIN_SECONDS = 3
FLUSH_INTERVAL = 2
KEYED_ACCOUNTS = 8
NOSTR_JSON_READERS = 4
SIGN_UP_WORKERS = 2
# Seconds of each fault window: the time a store or the killed server stays away.
OUTAGE = 4.0
# Seconds of steady load between two windows, so the fleet is whole again before the next one.
SETTLE = 2.5
# Seconds after a relay's return by which WoT answers again (F3).
RELAY_RETURN = 3.0
# What Prometheus' rendered config uses: scrape and evaluation interval, and every alert's `for`.
SCRAPE_INTERVAL = "1s"
ALERT_HOLD = "1s"


@dataclass
class Answer:
    kind: str
    at: float
    status: int  # 0: no HTTP answer (the client's own timeout or a transport error)
    retry_after: bool
    took: float = 0.0
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class Window:
    name: str
    start: float
    end: float = 0.0


@dataclass
class FleetRun:
    answers: list[Answer]
    windows: list[Window]
    # (seconds since the load started, servers the balancer held up)
    backend_samples: list[tuple[float, int]]
    key_ids: list[str]
    dsn: str
    killed_instance: str
    down_alert_fired_for: set[str]
    down_alert_firing_at_end: set[str]
    # Names of the series Prometheus scraped from the servers and the balancer.
    scraped_metrics: set[str]
    relay_back_at: float
    seconds: float

    def of(self, kind: str) -> list[Answer]:
        return [answer for answer in self.answers if answer.kind == kind]

    def window_of(self, at: float) -> str:
        return next((w.name for w in self.windows if w.start <= at <= w.end), "steady")

    def figures(self) -> str:
        """Per window: seconds, answers per second, and the answers that were not 2xx by status."""
        lines = [f"{self.seconds:.0f} s, {len(self.answers)} answers"]
        for name in ["steady", *(w.name for w in self.windows)]:
            answers = [a for a in self.answers if self.window_of(a.at) == name]
            spans = [w.end - w.start for w in self.windows if w.name == name]
            seconds = spans[0] if spans else self.seconds - sum(w.end - w.start for w in self.windows)
            failed: dict[str, int] = {}
            for a in answers:
                if not 200 <= a.status < 300:
                    key = f"{a.kind} {a.status}"
                    failed[key] = failed.get(key, 0) + 1
            reads = sorted(a.took for a in answers if a.kind == "nostr_json")
            p50, p99 = (reads[len(reads) * n // 100] * 1000 for n in (50, 99))
            slow = f"nostr.json p50 {p50:.0f} ms, p99 {p99:.0f} ms"
            up = min((n for at, n in self.backend_samples if self.window_of(at) == name), default=0)
            lines.append(
                f"{name}: {seconds:.1f} s, {len(answers) / seconds:.0f}/s, {slow}, fewest servers up {up},"
                f" not 2xx: {failed}"
            )
        after = sorted(
            (a.at - self.relay_back_at, a.status) for a in self.of("wot") if a.at >= self.relay_back_at
        )
        lines.append(
            f"WoT after the relay's return (seconds, status): {[(round(t, 1), s) for t, s in after]}"
        )
        return "\n".join(lines)


def _through(dsn: str, port: int) -> str:
    parts = urlsplit(dsn)
    user = parts.netloc.rsplit("@", 1)[0] + "@" if "@" in parts.netloc else ""
    return urlunsplit((parts.scheme, f"{user}127.0.0.1:{port}", parts.path, parts.query, parts.fragment))


class Load:
    """The mixed load, through the balancer, recording every answer."""

    def __init__(self, base_url: str, names: list[str], keys: list[str]) -> None:
        self.base_url = base_url
        self.names = names
        self.keys = keys
        self.answers: list[Answer] = []
        self.started = time.monotonic()
        self.running = True
        self._purchases = 0

    def now(self) -> float:
        return time.monotonic() - self.started

    async def _send(
        self, client: httpx.AsyncClient, kind: str, method: str, path: str, **options: Any
    ) -> tuple[Answer, httpx.Response | None]:
        at = self.now()
        try:
            response = await client.request(method, path, **options)
        except httpx.HTTPError:
            answer = Answer(kind, at, 0, False, self.now() - at)
            self.answers.append(answer)
            return answer, None
        answer = Answer(kind, at, response.status_code, "retry-after" in response.headers, self.now() - at)
        if response.status_code >= 500:
            answer.detail["problem"] = response.text[:200]
        self.answers.append(answer)
        return answer, response

    async def _sign_in(self, client: httpx.AsyncClient) -> str | None:
        """A fresh key signs in; its bearer token, or None when the sign-in was not answered 200."""
        signer = NostrSigner.generate()
        _, challenge = await self._send(client, "challenge", "POST", "/api/v1/auth/challenge")
        if challenge is None or challenge.status_code != 201:
            return None
        event = signer.sign_in_event(challenge.json()["challenge"], self.base_url)
        answer, login = await self._send(
            client, "sign_in", "POST", "/api/v1/auth/login", json={"event": event}
        )
        answer.detail["pubkey"] = signer.pubkey
        if login is None or login.status_code != 200:
            return None
        return str(login.json()["access_token"])

    async def sign_ups(self, client: httpx.AsyncClient) -> None:
        while self.running:
            token = await self._sign_in(client)
            if token is not None:
                name = f"f{secrets.token_hex(6)}"
                answer, created = await self._send(
                    client,
                    "name",
                    "POST",
                    "/api/v1/nip05",
                    json={"name": name, "relays": []},
                    headers={"Authorization": f"Bearer {token}"},
                )
                answer.detail["name"] = name
                if created is not None and created.status_code == 201:
                    answer.detail["id"] = created.json()["id"]
            await asyncio.sleep(0.1)

    async def nostr_json(self, client: httpx.AsyncClient, reader: int) -> None:
        while self.running:
            name = self.names[reader % len(self.names)]
            await self._send(
                client,
                "nostr_json",
                "GET",
                "/.well-known/nostr.json",
                params={"name": name},
                headers={"Host": DOMAIN},
            )
            await asyncio.sleep(0.02)

    async def keyed_wot(self, client: httpx.AsyncClient, key: str) -> None:
        while self.running:
            pubkey = secrets.token_hex(32)
            answer, _ = await self._send(
                client, "wot", "GET", f"/api/v1/wot/{pubkey}", headers={"X-API-Key": key}
            )
            answer.detail["key"] = key
            await asyncio.sleep(0.8)  # under the free plan's 60 keyed requests a minute

    async def purchases(self, client: httpx.AsyncClient) -> None:
        while self.running:
            token = await self._sign_in(client)
            if token is None:
                await asyncio.sleep(0.1)
                continue
            bearer = {"Authorization": f"Bearer {token}"}
            answer, checkout = await self._send(
                client,
                "subscribe",
                "POST",
                "/api/v1/subscriptions",
                json={"plan_id": "pro-monthly", "provider": "fake"},
                headers=bearer,
            )
            if checkout is None or checkout.status_code != 201:
                continue
            payment_id = checkout.json()["payment"]["id"]
            answer.detail["payment"] = payment_id
            settle, settled = await self._send(
                client, "settle", "POST", f"/api/v1/payments/{payment_id}/fake-settle", headers=bearer
            )
            settle.detail["payment"] = payment_id
            if settled is not None and settled.status_code == 200:
                settle.detail["paid"] = settled.json()["status"] == "paid"
            self._purchases += 1
            if self._purchases % 2:
                invoice_id = f"fake_{payment_id.replace('-', '')}"
                body = f'{{"event_id": "evt_{secrets.token_hex(8)}", "invoice_id": "{invoice_id}"}}'.encode()
                headers = {
                    "Fake-Sig": f"sha256={hmac_sha256_hex(WEBHOOK_SECRET, body)}",
                    "Content-Type": "application/json",
                }
                for _ in range(2):
                    again, _ = await self._send(
                        client, "webhook", "POST", "/api/v1/webhooks/fake", content=body, headers=headers
                    )
                    again.detail["payment"] = payment_id
            await asyncio.sleep(0.3)


async def _sample_backend(load: Load, haproxy: Haproxy, samples: list[tuple[float, int]]) -> None:
    while load.running:
        up = await asyncio.to_thread(haproxy.backend_servers_up)
        samples.append((load.now(), up))
        await asyncio.sleep(0.25)


async def _faults(
    load: Load,
    servers: list[ServeProcess],
    redis: RedisServer,
    postgres: TcpProxy,
    relay: RelayProcess,
    windows: list[Window],
    relay_back: list[float],
) -> None:
    async def window(name: str, fault: Callable[[], Awaitable[None]]) -> None:
        await asyncio.sleep(SETTLE)
        current = Window(name, load.now())
        windows.append(current)
        await fault()
        current.end = load.now()

    async def kill() -> None:
        await asyncio.to_thread(servers[0].kill)
        await asyncio.sleep(OUTAGE)
        await asyncio.to_thread(servers[0].start)
        await asyncio.to_thread(servers[0].wait_ready)

    async def terminate() -> None:
        exit_code = await asyncio.to_thread(servers[1].terminate)
        assert exit_code == 0
        await asyncio.to_thread(servers[1].start)
        await asyncio.to_thread(servers[1].wait_ready)

    def outage(stop: Callable[[], None], start: Callable[[], object]) -> Callable[[], Awaitable[None]]:
        async def run() -> None:
            await asyncio.to_thread(stop)
            await asyncio.sleep(OUTAGE)
            await asyncio.to_thread(start)

        return run

    async def relay_restart() -> None:
        await outage(relay.stop, relay.start)()
        relay_back.append(load.now())

    await window("sigkill", kill)
    await window("sigterm", terminate)
    await window("redis", outage(redis.stop, redis.start))
    await window("postgres", outage(postgres.stop, postgres.start))
    await window("relay", relay_restart)
    await asyncio.sleep(RELAY_RETURN + SETTLE)


async def _run_load(
    load: Load,
    haproxy: Haproxy,
    faults: Callable[[list[Window], list[float]], Awaitable[None]],
) -> tuple[list[Window], list[tuple[float, int]], float]:
    windows: list[Window] = []
    samples: list[tuple[float, int]] = []
    relay_back: list[float] = []
    limits = httpx.Limits(max_connections=64)
    async with httpx.AsyncClient(base_url=load.base_url, timeout=20, limits=limits) as client:
        workers = [
            *(load.nostr_json(client, n) for n in range(NOSTR_JSON_READERS)),
            *(load.sign_ups(client) for _ in range(SIGN_UP_WORKERS)),
            *(load.keyed_wot(client, key) for key in load.keys),
            load.purchases(client),
            _sample_backend(load, haproxy, samples),
        ]
        tasks = [asyncio.create_task(worker) for worker in workers]
        try:
            await faults(windows, relay_back)
        finally:
            load.running = False
            await asyncio.gather(*tasks)
    return windows, samples, relay_back[0] if relay_back else float("nan")


def _set_up_accounts(base_url: str) -> tuple[list[str], list[str], list[str]]:
    """Names for the nostr.json readers, and API keys (with their ids) for the keyed readers."""
    names, keys, key_ids = [], [], []
    for n in range(max(KEYED_ACCOUNTS, 2)):
        secret_key = secrets.token_hex(32)
        api = NostrIdClient(base_url, public_url=base_url)
        api = api.with_bearer(api.sign_in_with_nostr(secret_key).access_token)
        if n < 2:
            names.append(api.register_name(f"reader{n}{secrets.token_hex(3)}").name)
        if n < KEYED_ACCOUNTS:
            created = api.create_api_key(f"fleet-{n}", ["wot:read"])
            keys.append(created.key)
            key_ids.append(created.id)
    return names, keys, key_ids


def _prometheus_findings(prometheus: Prometheus, killed: str, seconds: float) -> tuple[set[str], set[str]]:
    """For which instances NostrIdDown fired during the run, and for which it still fires once the
    killed server has been back long enough for the alert to clear."""
    end = time.time()
    fired = prometheus.api(
        "query_range",
        query='ALERTS{alertname="NostrIdDown", alertstate="firing"}',
        start=end - seconds - 30,
        end=end,
        step="1s",
    )
    fired_for = {series["metric"]["instance"] for series in fired["result"]}
    deadline = time.monotonic() + 20
    while True:
        firing = {
            alert["labels"]["instance"]
            for alert in prometheus.api("alerts")["alerts"]
            if alert["labels"]["alertname"] == "NostrIdDown" and alert["state"] == "firing"
        }
        if killed not in firing or time.monotonic() > deadline:
            return fired_for, firing
        time.sleep(0.5)


@pytest.fixture(scope="module")
def fleet_run(postgres_admin_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[FleetRun]:
    directory = tmp_path_factory.mktemp("fleet")
    with migrated_database(postgres_admin_url) as dsn:
        yield from _fleet_run(dsn, directory)


def _fleet_run(dsn: str, directory: Path) -> Iterator[FleetRun]:
    target = urlsplit(dsn)
    postgres = TcpProxy(target.hostname or "127.0.0.1", target.port or 5432)
    redis = RedisServer()
    relay = RelayProcess()
    servers: list[ServeProcess] = []
    haproxy: Haproxy | None = None
    prometheus: Prometheus | None = None
    try:
        postgres.start()
        redis.start()
        relay.start()
        frontend_port = free_port()
        env = {
            **os.environ,
            "DATABASE_URL": _through(dsn, postgres.port),
            "REDIS_URL": redis.url,
            "PUBLIC_URL": f"http://127.0.0.1:{frontend_port}",
            "RELAY_URLS": relay.url,
            "JWT_SECRET": secrets.token_hex(32),
            "SERVICE_NSEC": secrets.token_hex(32),
            "FAKE_WEBHOOK_SECRET": WEBHOOK_SECRET,
            "DEFAULT_DOMAIN": DOMAIN,
            "TRUSTED_PROXIES": "127.0.0.1",
            "DRAIN_SECONDS": str(DRAIN_SECONDS),
            "USAGE_FLUSH_INTERVAL": str(FLUSH_INTERVAL),
            # Every client of the test comes from one address, the balancer's.
            "RATE_LIMIT_SIGN_IN": "1000000",
            "RATE_LIMIT_ANONYMOUS": "1000000",
            "LOG_LEVEL": "WARNING",
        }
        for n in range(1, 4):
            (directory / f"app{n}").mkdir()
            servers.append(ServeProcess(f"app{n}", env, directory / f"app{n}"))
        haproxy = Haproxy(directory, frontend_port, [server.address for server in servers])
        for server in servers:
            server.start()
        for server in servers:
            server.wait_ready()
        haproxy.start()
        config, _ = render_prometheus(
            directory,
            [server.address for server in servers],
            haproxy.stats_address,
            interval=SCRAPE_INTERVAL,
            hold=ALERT_HOLD,
        )
        prometheus = Prometheus(directory, config)
        prometheus.start()
        deadline = time.monotonic() + 30
        while haproxy.backend_servers_up() < len(servers):
            assert time.monotonic() < deadline, "the balancer never held every server up"
            time.sleep(0.2)

        # One run of the periodic jobs, as the timer starts it, so the job metrics have values.
        jobs = subprocess.run(
            [*CLI, "jobs", "run"],
            env={**env, "DATA_DIR": str(directory / "jobs")},
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
        assert jobs.returncode == 0, jobs.stderr
        names, keys, key_ids = _set_up_accounts(haproxy.url)
        load = Load(haproxy.url, names, keys)
        windows, samples, relay_back = asyncio.run(
            _run_load(
                load,
                haproxy,
                lambda windows, relay_back: _faults(
                    load, servers, redis, postgres, relay, windows, relay_back
                ),
            )
        )
        seconds = load.now()
        fired_for, firing_at_end = _prometheus_findings(prometheus, servers[0].address, seconds)
        scraped = prometheus.api("label/__name__/values")
        run = FleetRun(
            answers=load.answers,
            windows=windows,
            backend_samples=samples,
            key_ids=key_ids,
            dsn=dsn,
            killed_instance=servers[0].address,
            down_alert_fired_for=fired_for,
            down_alert_firing_at_end=firing_at_end,
            scraped_metrics=set(scraped),
            relay_back_at=relay_back,
            seconds=seconds,
        )
        # The last flush: every server drains, and flushes the usage it counted on the way out.
        for server in servers:
            server.stop()
        answered, bound, metered = _usage_figures(run)
        print(run.figures(), f"keyed 2xx answered {answered}, metered {metered}, may lose {bound}", sep="\n")
        yield run
    finally:
        for server in servers:
            server.stop()
        for part in (prometheus, haproxy):
            if part is not None:
                part.stop()
        relay.stop()
        redis.stop()
        postgres.close()


def _fetch(dsn: str, query: str, params: dict[str, Any]) -> list[tuple[Any, ...]]:
    with psycopg.connect(dsn) as conn:
        return conn.execute(query, params).fetchall()


@pytest.mark.timeout(240)
def test_f1_every_answered_write_exists_exactly_once(fleet_run: FleetRun) -> None:
    signed_in = [a.detail["pubkey"] for a in fleet_run.of("sign_in") if a.status == 200]
    sessions = dict(
        _fetch(
            fleet_run.dsn,
            "SELECT u.pubkey, count(s.id) FROM users u LEFT JOIN sessions s ON s.user_id = u.id"
            " WHERE u.pubkey = ANY(%(pubkeys)s) GROUP BY u.pubkey",
            {"pubkeys": signed_in},
        )
    )
    registered = {a.detail["name"]: a.detail["id"] for a in fleet_run.of("name") if a.status == 201}
    names = _fetch(
        fleet_run.dsn,
        "SELECT name, id::text FROM nip05_names WHERE name = ANY(%(names)s)",
        {"names": list(registered)},
    )
    created = [a.detail["payment"] for a in fleet_run.of("subscribe") if a.status == 201]
    # A settle answered "paid" is a credit the payer was told of. A webhook's 200 only acknowledges
    # the event: when the settle before it never reached the provider (its server killed, PostgreSQL
    # cut) the provider still holds the invoice open and the webhook rightly changes nothing; the
    # webhooks' own duplicates are checked by the receipts below (one per paid payment, no gap).
    credited = {
        a.detail["payment"] for a in fleet_run.of("settle") if a.status == 200 and a.detail.get("paid", False)
    }
    payments = _fetch(
        fleet_run.dsn,
        "SELECT p.id::text, p.status, p.receipt_number, p.paid_at, s.expires_at FROM payments p"
        " LEFT JOIN subscriptions s ON s.id = p.subscription_id WHERE p.id = ANY(%(ids)s::uuid[])",
        {"ids": created},
    )
    receipts = [row[0] for row in _fetch(fleet_run.dsn, "SELECT receipt_number FROM payments", {}) if row[0]]
    counters = _fetch(fleet_run.dsn, "SELECT year, last_number FROM receipt_counters", {})

    assert len(signed_in) > 20 and sessions == dict.fromkeys(signed_in, 1)
    assert len(registered) > 10 and sorted(names) == sorted(registered.items())
    assert len(credited) > 5 and sorted(row[0] for row in payments) == sorted(created)
    paid = {row[0]: row for row in payments if row[1] == "paid"}
    assert credited <= set(paid)
    for _, _, receipt, paid_at, expires_at in paid.values():
        assert receipt is not None and expires_at == paid_at + timedelta(days=30)
    # Receipts are numbered without a gap: 1..N of the year, N the year's counter.
    (year, last_number), *_ = counters
    assert sorted(receipts) == [f"NID-{year}-{n:06d}" for n in range(1, last_number + 1)]


def _usage_figures(run: FleetRun) -> tuple[int, int, int]:
    """Keyed answers with 2xx; how many of them a SIGKILL or a Redis restart may lose (those of the
    flush interval, and a second for the flush, before it); and the 2xx uses PostgreSQL holds."""
    answered = [a for a in run.of("wot") if 200 <= a.status < 300]
    lost_at = [w.start for w in run.windows if w.name in ("sigkill", "redis")]
    bound = sum(1 for a in answered if any(at - FLUSH_INTERVAL - 1 <= a.at <= at for at in lost_at))
    rows = _fetch(
        run.dsn,
        "SELECT coalesce(sum(count), 0) FROM api_key_usage"
        " WHERE api_key_id = ANY(%(ids)s::uuid[]) AND status_class = '2xx'",
        {"ids": run.key_ids},
    )
    return len(answered), bound, int(rows[0][0])


@pytest.mark.timeout(240)
def test_f2_metered_usage_equals_keyed_answers_within_one_flush_interval_of_a_kill_or_redis_restart(
    fleet_run: FleetRun,
) -> None:
    answered, bound, metered = _usage_figures(fleet_run)
    in_flight = len(fleet_run.key_ids)

    assert answered > 50
    assert answered - bound <= metered <= answered + in_flight, (metered, answered, bound)


@pytest.mark.timeout(240)
def test_f3_nostr_json_answers_through_every_fault_refusals_are_503_with_retry_after_never_500(
    fleet_run: FleetRun,
) -> None:
    reads = fleet_run.of("nostr_json")
    ok = sum(1 for a in reads if a.status == 200)
    refusals = [a for a in reads if a.status != 200]

    assert len(reads) > 1000
    assert ok / len(reads) >= 0.999, [(a.status, fleet_run.window_of(a.at), a.detail) for a in refusals]
    assert all(a.status == 503 and a.retry_after for a in refusals)
    assert [a for a in fleet_run.answers if a.status == 500] == []
    assert all(a.retry_after for a in fleet_run.answers if a.status == 503)


@pytest.mark.timeout(240)
def test_f3_no_store_blip_takes_every_server_out_of_the_balancer(fleet_run: FleetRun) -> None:
    stores = [w for w in fleet_run.windows if w.name in ("redis", "postgres", "relay")]
    during = [up for at, up in fleet_run.backend_samples if any(w.start <= at <= w.end for w in stores)]

    assert len(stores) == 3 and len(during) > 20
    assert min(during) >= 1
    # And no fault, a server's own included, left the balancer empty.
    assert min(up for _, up in fleet_run.backend_samples) >= 1


@pytest.mark.timeout(240)
def test_f3_wot_answers_again_within_3_s_of_the_relays_return(fleet_run: FleetRun) -> None:
    later = [a for a in fleet_run.of("wot") if a.at >= fleet_run.relay_back_at + RELAY_RETURN]

    assert len(later) >= KEYED_ACCOUNTS
    assert [a.status for a in later] == [200] * len(later)


@pytest.mark.timeout(240)
def test_the_killed_servers_down_alert_fired_in_prometheus_and_cleared(fleet_run: FleetRun) -> None:
    assert fleet_run.killed_instance in fleet_run.down_alert_fired_for
    assert fleet_run.killed_instance not in fleet_run.down_alert_firing_at_end


@pytest.mark.timeout(240)
def test_every_metric_the_alerting_rules_read_is_scraped_from_the_fleet(fleet_run: FleetRun) -> None:
    rules = (PROMETHEUS_DIRECTORY / "nostr-id.rules.yml").read_text()
    read = set(re.findall(r"\b((?:nostr|haproxy)_[a-z_]+)\b", rules)) - {"nostr_id"}

    assert len(read) >= 9
    assert read <= fleet_run.scraped_metrics, read - fleet_run.scraped_metrics
