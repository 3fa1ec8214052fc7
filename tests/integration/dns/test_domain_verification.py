"""Domain verification against a real DNS server (dnsmasq): the dnspython adapter and the use cases."""

import asyncio
import socket
import time
from datetime import UTC, datetime, timedelta

import pytest

from adapters.dns.dnspython_resolver import DnspythonResolver
from bootstrap.wiring.names import DNS_TIMEOUT
from domain.names.custom_domains import CustomDomainStatus
from domain.names.ports import DnsLookupFailed
from domain.shared.clock import FixedClock
from domain.shared.errors import InvalidInput
from tests import builders
from tests.fakes.unit_of_work import FakeUnitOfWork, MemoryStore
from tests.fixtures.dns import DnsServer
from tests.support.app import container_for_tests, settings_for_tests
from tests.support.plans import ROOMY_PLANS
from tests.support.tcp_proxy import free_port

NOW = datetime(2030, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def world(dns_server: DnsServer, tmp_path):  # type: ignore[no-untyped-def]
    """The container on the memory twin of the database and the test's DNS server."""
    store = MemoryStore()
    clock = FixedClock(NOW)
    settings = settings_for_tests(
        tmp_path, dns_nameservers=(dns_server.nameserver,), billing_plans=ROOMY_PLANS
    )
    container = container_for_tests(
        settings,
        clock=clock,
        store=store,
    )
    return store, clock, container


async def _user(store: MemoryStore):  # type: ignore[no-untyped-def]
    user = builders.user()
    async with FakeUnitOfWork(store) as uow:
        await uow.users.add(user)
        await uow.commit()
    return user


async def test_d3_a_domain_is_verified_by_its_own_random_token(world, dns_server: DnsServer) -> None:  # type: ignore[no-untyped-def]
    store, _clock, container = world
    user = await _user(store)
    first = await container.names.add_domain()(user.id, "Alice-Names.COM")
    other = await container.names.add_domain()(user.id, "bob-names.com")
    assert first.domain == "alice-names.com"
    assert first.verification_token != other.verification_token and len(first.verification_token) >= 32
    dns_server.set_txt(first.txt_record_name, "unrelated=1", first.txt_record_value)

    outcome = await container.names.verify_domain()(user.id, first.id)

    assert outcome.domain.status is CustomDomainStatus.VERIFIED
    assert first.txt_record_name == "_nostr-id.alice-names.com"
    assert first.txt_record_value == f"nostr-id-verify={first.verification_token}"


async def test_d3_another_domains_token_does_not_verify(world, dns_server: DnsServer) -> None:  # type: ignore[no-untyped-def]
    store, _clock, container = world
    user = await _user(store)
    mine = await container.names.add_domain()(user.id, "carol-names.com")
    theirs = await container.names.add_domain()(user.id, "dave-names.com")
    dns_server.set_txt(mine.txt_record_name, theirs.txt_record_value)

    outcome = await container.names.verify_domain()(user.id, mine.id)

    assert outcome.domain.status is CustomDomainStatus.PENDING
    assert "do not hold this domain's token" in outcome.detail


async def test_d3_a_missing_record_leaves_the_domain_pending(world) -> None:  # type: ignore[no-untyped-def]
    store, _clock, container = world
    user = await _user(store)
    record = await container.names.add_domain()(user.id, "erin-names.com")

    outcome = await container.names.verify_domain()(user.id, record.id)

    assert outcome.domain.status is CustomDomainStatus.PENDING
    assert outcome.domain.last_checked_at == NOW
    assert "no TXT record" in outcome.detail


async def test_d3_a_removed_record_suspends_after_the_grace_period_and_restores(
    world, dns_server: DnsServer
) -> None:  # type: ignore[no-untyped-def]
    store, clock, container = world
    user = await _user(store)
    record = await container.names.add_domain()(user.id, "frank-names.com")
    dns_server.set_txt(record.txt_record_name, record.txt_record_value)
    await container.names.verify_domain()(user.id, record.id)
    job = container.names.recheck_domains()  # every hour at most, 72 hours of grace

    dns_server.remove_txt(record.txt_record_name)
    clock.advance(timedelta(hours=2))
    assert (await job())["suspended"] == 0
    clock.advance(timedelta(hours=71))  # 71 h after the record was first missed: still in grace
    assert (await job())["suspended"] == 0
    clock.advance(timedelta(hours=2))
    assert (await job())["suspended"] == 1
    async with FakeUnitOfWork(store) as uow:
        assert (await uow.domains.get(record.id)).status is CustomDomainStatus.SUSPENDED  # type: ignore[union-attr]

    dns_server.set_txt(record.txt_record_name, record.txt_record_value)
    clock.advance(timedelta(hours=2))
    assert (await job())["restored"] == 1
    async with FakeUnitOfWork(store) as uow:
        restored = await uow.domains.get(record.id)
    assert restored is not None and restored.status is CustomDomainStatus.VERIFIED
    assert restored.record_missing_since is None


async def test_d3_a_record_that_returns_within_the_grace_period_resets_it(
    world, dns_server: DnsServer
) -> None:  # type: ignore[no-untyped-def]
    store, clock, container = world
    user = await _user(store)
    record = await container.names.add_domain()(user.id, "grace-names.com")
    dns_server.set_txt(record.txt_record_name, record.txt_record_value)
    await container.names.verify_domain()(user.id, record.id)
    job = container.names.recheck_domains()

    dns_server.remove_txt(record.txt_record_name)
    clock.advance(timedelta(hours=70))
    await job()
    dns_server.set_txt(record.txt_record_name, record.txt_record_value)
    clock.advance(timedelta(hours=2))
    await job()
    dns_server.remove_txt(record.txt_record_name)
    clock.advance(timedelta(hours=70))
    assert (await job())["suspended"] == 0


@pytest.mark.parametrize(
    "bad",
    [
        "127.0.0.1",
        "10.0.0.8",
        "[::1]",
        "::1",
        "fd00::1",
        "localhost",
        "a.localhost",
        "printer.local",
        "corp.internal",
        "example.com",
        "foo.test",
        "router.home.arpa",
        "1.0.0.127.in-addr.arpa",
        "hidden.onion",
        "127.1",
        "nodots",
        "bad_label.com",
    ],
)
def test_d3_ip_addresses_localhost_and_special_use_names_are_refused(bad: str) -> None:
    from domain.names.custom_domains import parse_custom_domain

    with pytest.raises(InvalidInput):
        parse_custom_domain(bad)


def test_d3_international_names_are_normalized_to_their_ascii_form() -> None:
    from domain.names.custom_domains import parse_custom_domain

    assert parse_custom_domain("Bücher.Example.DE.") == "xn--bcher-kva.example.de"
    assert parse_custom_domain("faß.de") == "xn--fa-hia.de"


async def test_d3_lookups_go_only_to_the_configured_resolver_and_are_bounded() -> None:
    # Nothing listens on this UDP port: the lookup fails within its timeout instead of asking anyone else.
    silent = DnspythonResolver((f"127.0.0.1:{free_port()}",), timeout=0.5)
    with pytest.raises(DnsLookupFailed):
        await silent.txt_records("_nostr-id.anything-names.com")


async def test_t5_d3_a_lookup_from_a_server_that_never_answers_ends_within_its_bound(tmp_path) -> None:  # type: ignore[no-untyped-def]
    # A socket that takes every query and answers none (a closed port would refuse at once).
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as silent:
        silent.bind(("127.0.0.1", 0))
        port = silent.getsockname()[1]
        settings = settings_for_tests(tmp_path, dns_nameservers=(f"127.0.0.1:{port}",))
        resolver = container_for_tests(settings).names.dns_resolver()
        started = time.monotonic()
        async with asyncio.timeout(DNS_TIMEOUT * 2):
            with pytest.raises(DnsLookupFailed):
                await resolver.txt_records("_nostr-id.anything-names.com")
        elapsed = time.monotonic() - started
    assert elapsed <= DNS_TIMEOUT * 1.5
