"""N8: each renewal reminder (NIP-17, gift-wrapped) is sent exactly once, to the owner's kind-10050
relays, and reads correctly in nostr-tools. Against the run's PostgreSQL and real relay processes;
the job is the container's (as `nostr-id jobs run` runs it) or the command itself."""

import asyncio
import json
import os
import secrets
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

import msgspec
import pytest

from bootstrap.container import Container
from bootstrap.settings import load_settings
from domain.billing.subscriptions import Subscription, format_receipt_number
from domain.nostr.event import Filter
from domain.nostr.nip17 import DM_RELAYS_KIND
from domain.nostr.signing import generate_secret_key, public_key_of, sign_event
from domain.shared.clock import FixedClock
from tests import builders
from tests.fixtures.relay import RelayProcess
from tests.support.app import started
from tests.support.direct_messages import gift_wraps, unwrap
from tests.support.relay_client import publish_raw
from tests.support.serve import CLI

pytestmark = pytest.mark.integration
JS = Path(__file__).resolve().parents[2] / "js"
PUBLIC_URL = "https://names.example.org"
KINDS = ("ends_in_7_days", "ends_in_1_day", "renewed", "names_suspended")


class Owner:
    def __init__(self) -> None:
        self.secret_key = generate_secret_key()
        self.user = builders.user(pubkey=public_key_of(self.secret_key))

    @property
    def pubkey(self) -> str:
        return self.user.pubkey


@pytest.fixture
def service_nsec() -> str:
    return generate_secret_key()


@pytest.fixture
def env(postgres_dsn, relay_url, service_nsec, tmp_path) -> dict[str, str]:
    return {
        "DATABASE_URL": postgres_dsn,
        "RELAY_URLS": relay_url,
        "SERVICE_NSEC": service_nsec,
        "PUBLIC_URL": PUBLIC_URL,
        "ENVIRONMENT": "test",
        "JWT_SECRET": secrets.token_hex(32),
        "DATA_DIR": str(tmp_path),
    }


@pytest.fixture
def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


@pytest.fixture
async def jobs(env, now):
    container = Container(settings=load_settings(env))
    container.clock.override(FixedClock(now))
    async with started(container):
        yield container


async def _send(container: Container) -> int:
    return int(await container.reminders.send_renewal_reminders()())


async def _sent_rows(container: Container) -> int:
    async with container.db_pool().connection() as conn:
        cursor = await conn.execute("SELECT count(*) FROM renewal_reminders WHERE status = 'sent'")
        row = await cursor.fetchone()
    assert row is not None
    return int(row[0])


async def _with_subscription(container: Container, owner: Owner, kind: str, now: datetime) -> None:
    """The owner, with the subscription (and payment or held name) that makes a reminder of `kind` due."""
    async with container.unit_of_work() as uow:
        await uow.users.add(owner.user)
        ordered = Subscription.order(
            user_id=owner.user.id, plan_id="pro-monthly", now=now - timedelta(days=60)
        )
        if kind == "ends_in_7_days":
            await uow.subscriptions.add(ordered.activate(now - timedelta(days=24), timedelta(days=30)))
        elif kind == "ends_in_1_day":
            await uow.subscriptions.add(
                ordered.activate(now - timedelta(days=29, hours=12), timedelta(days=30))
            )
        elif kind == "renewed":
            active = ordered.activate(now - timedelta(days=20), timedelta(days=30))
            await uow.subscriptions.add(active.renew(now - timedelta(hours=1), timedelta(days=30)))
            paid = builders.payment(owner.user.id, subscription_id=active.id, plan_id="pro-monthly")
            receipt = format_receipt_number(2099, secrets.randbelow(999_999) + 1)
            await uow.payments.add(paid.mark_paid(now - timedelta(hours=1), receipt))
        else:
            ended = ordered.activate(now - timedelta(days=40), timedelta(days=30)).expire(
                now - timedelta(days=10)
            )
            await uow.subscriptions.add(ended)
            name = builders.nip05(owner.user.id, pubkey=owner.pubkey)
            await uow.nip05_names.add(name.suspend(now - timedelta(hours=1)))
            await uow.name_holds.hold(name.id, owner.user.id, now - timedelta(hours=1))
        await uow.commit()


async def test_n8_each_reminder_kind_is_sent_once_by_the_service_key_with_a_link_to_renew(
    jobs, relay_url, service_nsec, now
):
    owners = {kind: Owner() for kind in KINDS}
    for kind, owner in owners.items():
        await _with_subscription(jobs, owner, kind, now)

    assert await _send(jobs) >= len(KINDS)
    await _send(jobs)  # a second run sends none of them again

    expected = {
        "ends_in_7_days": "ends in 7 days",
        "ends_in_1_day": "ends tomorrow",
        "renewed": "is renewed",
        "names_suspended": "names beyond the free plan are suspended",
    }
    for kind, owner in owners.items():
        wraps = await gift_wraps(relay_url, owner.pubkey)
        assert len(wraps) == 1, kind
        seal, rumor = unwrap(wraps[0], owner.secret_key)
        assert seal.pubkey == public_key_of(service_nsec)
        assert rumor.tags == (("p", owner.pubkey),)
        assert expected[kind] in rumor.content
        assert f"{PUBLIC_URL}/plans" in rumor.content
        # The wrap is signed by a one-time key, not the service's.
        assert wraps[0].pubkey not in {seal.pubkey, owner.pubkey}


async def test_n8_a_reminder_reads_correctly_in_nostr_tools(jobs, relay_url, service_nsec, now):
    node = shutil.which("node")
    assert node is not None, "node is required"
    assert (JS / "node_modules" / "nostr-tools").is_dir(), "run scripts/ensure-js.sh"
    owner = Owner()
    await _with_subscription(jobs, owner, "ends_in_1_day", now)
    await _send(jobs)
    [wrap] = await gift_wraps(relay_url, owner.pubkey)

    reader = await asyncio.create_subprocess_exec(
        node,
        str(JS / "nip17_unwrap.mjs"),
        cwd=JS,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    message = json.dumps({"wrap": msgspec.to_builtins(wrap), "secret_key": owner.secret_key})
    out, err = await asyncio.wait_for(reader.communicate(message.encode()), 60)

    assert reader.returncode == 0, err.decode()
    rumor = json.loads(out)
    assert rumor["kind"] == 14
    assert rumor["pubkey"] == public_key_of(service_nsec)
    assert rumor["tags"] == [["p", owner.pubkey]]
    assert "ends tomorrow" in rumor["content"] and f"{PUBLIC_URL}/plans" in rumor["content"]


async def test_n8_the_owners_kind_10050_relays_are_used_when_published(
    jobs, relay_url, relay_process: RelayProcess, now
):
    owner = Owner()
    relay_list = sign_event(
        owner.secret_key,
        kind=DM_RELAYS_KIND,
        tags=[["relay", relay_process.url]],
        content="",
        created_at=int(now.timestamp()) - 60,
    )
    assert await publish_raw(relay_url, [relay_list]) == 1
    await _with_subscription(jobs, owner, "ends_in_7_days", now)

    await _send(jobs)

    assert len(await gift_wraps(relay_process.url, owner.pubkey)) == 1
    assert await gift_wraps(relay_url, owner.pubkey) == []


async def test_n8_a_send_no_relay_accepts_is_sent_by_the_next_run_once(jobs, relay_url, relay_process, now):
    owner = Owner()
    relay_list = sign_event(
        owner.secret_key,
        kind=DM_RELAYS_KIND,
        tags=[["relay", relay_process.url]],
        content="",
        created_at=int(now.timestamp()) - 60,
    )
    assert await publish_raw(relay_url, [relay_list]) == 1
    await _with_subscription(jobs, owner, "ends_in_1_day", now)
    relay_process.stop()

    with pytest.raises(Exception, match="reminders failed"):
        await _send(jobs)
    relay_process.start()
    await _send(jobs)
    await _send(jobs)

    assert len(await gift_wraps(relay_process.url, owner.pubkey)) == 1


async def test_n8_two_runners_listing_the_same_reminders_at_once_send_one_dm_each(jobs, env, relay_url, now):
    """Two job runners (each its own container: pool, relay connections) started together list the
    same due reminders; the claims let each reminder through once."""
    owners = [Owner() for _ in range(12)]
    for index, owner in enumerate(owners):
        await _with_subscription(jobs, owner, KINDS[index % 2], now)
    other = Container(settings=load_settings(env))
    other.clock.override(FixedClock(now))
    before = await _sent_rows(jobs)
    async with started(other):
        reported = await asyncio.gather(_send(jobs), _send(other))

    assert sum(reported) == await _sent_rows(jobs) - before
    for owner in owners:
        assert len(await gift_wraps(relay_url, owner.pubkey)) == 1


async def test_n8_two_job_commands_at_once_send_one_dm_per_reminder(jobs, env, relay_url, tmp_path, now):
    owners = [Owner() for _ in range(12)]
    for index, owner in enumerate(owners):
        await _with_subscription(jobs, owner, KINDS[index % 2], now)
    before = await _sent_rows(jobs)
    command_env = {**os.environ, **env}
    command_env.pop("REDIS_URL", None)

    runs = [
        await asyncio.create_subprocess_exec(
            *CLI,
            "jobs",
            "run",
            env=command_env,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        for _ in range(2)
    ]
    outputs = await asyncio.wait_for(asyncio.gather(*(run.communicate() for run in runs)), 180)

    reported = []
    for out, err in outputs:
        lines = [
            line for line in out.decode().splitlines() if line.startswith("billing: renewal reminders sent: ")
        ]
        assert len(lines) == 1, err.decode()
        reported.append(int(lines[0].rsplit(": ", 1)[1]))
    # Between them the runs sent each reminder once: what they report is what was claimed and sent.
    assert sum(reported) == await _sent_rows(jobs) - before
    for owner in owners:
        assert len(await gift_wraps(relay_url, owner.pubkey)) == 1


async def test_n8_an_owner_who_turned_reminders_off_gets_none(api, now):
    """Over HTTP: PATCH /api/v1/me turns them off and on; the job (memory relay) follows."""
    alice = await api.sign_in()
    relay = api.container.relay()
    me = await api.client.get("/api/v1/me", headers=alice.headers)
    assert me.json()["reminders"] is True

    off = await api.client.patch("/api/v1/me", json={"reminders": False}, headers=alice.headers)
    assert off.status_code == 200 and off.json()["reminders"] is False
    for bad in ("no", "true", 0, 1, None):
        refused = await api.client.patch("/api/v1/me", json={"reminders": bad}, headers=alice.headers)
        assert refused.status_code == 422, bad
    unknown = await api.client.patch("/api/v1/me", json={"reminders": True, "x": 1}, headers=alice.headers)
    assert unknown.status_code == 422

    async def subscribe() -> None:
        async with api.container.unit_of_work() as uow:
            ordered = Subscription.order(user_id=alice.user.id, plan_id="pro-monthly", now=api.clock.now())
            await uow.subscriptions.add(
                ordered.activate(api.clock.now() - timedelta(days=25), timedelta(days=30))
            )
            await uow.commit()

    async def dms() -> int:
        return len(await relay.query([Filter(kinds=(1059,), tags={"p": (alice.pubkey,)})]))

    await api.run(subscribe)
    await api.run(lambda: api.container.reminders.send_renewal_reminders()())
    assert await api.run(dms) == 0

    on = await api.client.patch("/api/v1/me", json={"reminders": True}, headers=alice.headers)
    assert on.status_code == 200 and on.json()["reminders"] is True
    await api.run(lambda: api.container.reminders.send_renewal_reminders()())
    await api.run(lambda: api.container.reminders.send_renewal_reminders()())
    assert await api.run(dms) == 1


async def test_n8_a_suspended_account_and_an_owner_who_said_no_get_no_reminder(jobs, relay_url, now):
    suspended, declined, wanting = Owner(), Owner(), Owner()
    suspended.user = suspended.user.suspend(now)
    declined.user = declined.user.with_reminders(False, now)
    for owner in (suspended, declined, wanting):
        await _with_subscription(jobs, owner, "ends_in_1_day", now)

    await _send(jobs)

    assert [len(await gift_wraps(relay_url, o.pubkey)) for o in (suspended, declined, wanting)] == [0, 0, 1]
