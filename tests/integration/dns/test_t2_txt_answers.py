"""T2: whatever one domain's DNS answer holds, it never breaks another tenant's work.

A TXT value is outside input: `nostr-id-verify=é` is compared like any other value. Over HTTP for
the verify call, and through `nostr-id jobs run`'s work for the periodic re-check, against
PostgreSQL and a real DNS server (dnsmasq).
"""

import secrets
from collections.abc import AsyncIterator
from datetime import timedelta

import pytest
from dependency_injector import providers

from bootstrap.container import Container
from bootstrap.job_commands import run_jobs
from bootstrap.settings import load_settings
from domain.names.custom_domains import TXT_VALUE_PREFIX, CustomDomain, CustomDomainStatus
from domain.shared.clock import FixedClock
from tests import builders
from tests.fixtures.auth import Api
from tests.fixtures.dns import DnsServer
from tests.support.plans import ROOMY_PLANS_ENV

pytestmark = pytest.mark.integration
NOT_ASCII = TXT_VALUE_PREFIX + "é"


def _domain_name(label: str) -> str:
    """A domain of this test's own (tests of a run share one database)."""
    return f"{label}-{secrets.token_hex(4)}.io"


@pytest.fixture
def api_settings_env(api_settings_env: dict[str, str], dns_server: DnsServer) -> dict[str, str]:
    return {**api_settings_env, "BILLING_PLANS": ROOMY_PLANS_ENV, "DNS_NAMESERVERS": dns_server.nameserver}


async def test_t2_a_non_ascii_txt_value_is_a_clear_answer_on_verify(api: Api, dns_server: DnsServer) -> None:
    alice = await api.sign_in()
    domain = (
        await api.client.post(
            "/api/v1/domains", json={"domain": _domain_name("accent")}, headers=alice.headers
        )
    ).json()
    dns_server.set_txt(domain["verification"]["name"], NOT_ASCII)

    refused = await api.client.post(f"/api/v1/domains/{domain['id']}/verify", headers=alice.headers)

    assert refused.status_code == 200, refused.text
    assert refused.json()["status"] == "pending"
    assert "do not hold this domain's token" in refused.json()["detail"]

    dns_server.set_txt(domain["verification"]["name"], NOT_ASCII, domain["verification"]["value"])
    verified = await api.client.post(f"/api/v1/domains/{domain['id']}/verify", headers=alice.headers)
    assert verified.status_code == 200 and verified.json()["status"] == "verified"


@pytest.fixture
async def jobs_container(postgres_dsn: str, dns_server: DnsServer) -> AsyncIterator[Container]:
    """The container `nostr-id jobs run` builds, on the run's database and the test's DNS server."""
    container = Container(
        settings=load_settings(
            {
                "DATABASE_URL": postgres_dsn,
                "RELAY_URLS": "memory://",
                "DNS_NAMESERVERS": dns_server.nameserver,
                "BILLING_PLANS": ROOMY_PLANS_ENV,
            }
        )
    )
    container.clock.override(providers.Object(FixedClock(builders.NOW)))
    resources = (container.db_pool_lifecycle, container.cache_lifecycle)
    for resource in resources:
        await resource.init()
    yield container
    for resource in reversed(resources):
        await resource.shutdown()


async def _verified_domain(container: Container, dns_server: DnsServer, label: str) -> CustomDomain:
    user = builders.user()
    async with container.unit_of_work() as uow:
        await uow.users.add(user)
        await uow.commit()
    domain = await container.names.add_domain()(user.id, _domain_name(label))
    dns_server.set_txt(domain.txt_record_name, domain.txt_record_value)
    assert (
        await container.names.verify_domain()(user.id, domain.id)
    ).domain.status is CustomDomainStatus.VERIFIED
    return domain


async def _stored(container: Container, domain: CustomDomain) -> CustomDomain:
    async with container.unit_of_work() as uow:
        stored = await uow.domains.get(domain.id)
    assert stored is not None
    return stored


async def test_t2_a_non_ascii_txt_value_does_not_stop_the_recheck_of_the_other_domains(
    jobs_container: Container, dns_server: DnsServer, capsys: pytest.CaptureFixture[str]
) -> None:
    clock = jobs_container.clock()
    accented = await _verified_domain(jobs_container, dns_server, "accented")
    clock.advance(timedelta(seconds=1))
    lapsed = await _verified_domain(jobs_container, dns_server, "lapsed")
    # The accented domain is checked first: its record now holds a value outside ASCII; the lapsed
    # domain's record is gone and its grace period ends during this run.
    dns_server.set_txt(accented.txt_record_name, NOT_ASCII)
    dns_server.remove_txt(lapsed.txt_record_name)
    clock.advance(timedelta(hours=2))
    assert await run_jobs(jobs_container) == 0
    clock.advance(timedelta(hours=72))

    assert await run_jobs(jobs_container) == 0

    assert (await _stored(jobs_container, accented)).status is CustomDomainStatus.SUSPENDED
    assert (await _stored(jobs_container, lapsed)).status is CustomDomainStatus.SUSPENDED
    assert (await _stored(jobs_container, lapsed)).last_checked_at == clock.now()
    assert "domains: checked" in capsys.readouterr().out
