"""The client's address behind proxies, over HTTP against the real app: forwarding headers are
believed only from TRUSTED_PROXIES (the right-most address that is not a trusted proxy is the
client), IPv6 clients are charged per /64, and sessions record the same address."""

import msgspec
import pytest
from dependency_injector import providers

from application.rate_limits import RatePolicies, RatePolicy
from domain.nostr.signing import generate_secret_key
from tests.fixtures.auth import TEST_PUBLIC_URL
from tests.support.concurrent_http import send_at_once

pytestmark = pytest.mark.integration

HOUR = 3600.0
PROXY = ("10.0.0.1", 443)
OUTSIDER = ("203.0.113.9", 50000)
READ = "/api/v1/plans"


@pytest.fixture
def api_settings_env(api_settings_env):
    return {**api_settings_env, "TRUSTED_PROXIES": "10.0.0.0/8, fd00::/8"}


@pytest.fixture
def anonymous_limit_of_2(api_container):
    # Per hour: a test's own run time cannot refill a quota, so counts are exact.
    api_container.api_keys.rate_policies.override(
        providers.Object(
            RatePolicies(
                api_key=RatePolicy(name="key", limit=1000, period=HOUR),
                anonymous=RatePolicy(name="ip", limit=2, period=HOUR),
                sign_in=RatePolicy(name="sign-in", limit=1000, period=HOUR),
            )
        )
    )


async def _statuses(api, peer, forwarded_headers):
    answers = [
        (await send_at_once(api, TEST_PUBLIC_URL, [("GET", READ, {"headers": headers})], peer=peer))[0]
        for headers in forwarded_headers
    ]
    return [answer.status_code for answer in answers]


@pytest.mark.usefixtures("anonymous_limit_of_2")
async def test_r2_forwarding_headers_are_believed_only_from_a_trusted_peer_right_most_untrusted_first(api):
    forged = [{"X-Forwarded-For": f"198.51.100.{n}"} for n in range(2)] + [{"Forwarded": "for=198.51.100.9"}]
    assert await _statuses(api, OUTSIDER, forged) == [200, 200, 429]
    # Whatever the client itself puts left of its own address is not believed.
    same_client = [
        {"X-Forwarded-For": "192.0.2.1, 198.51.100.7"},
        {"X-Forwarded-For": "192.0.2.2, 198.51.100.7, 10.0.0.2"},
        {"X-Forwarded-For": "not-an-address, 198.51.100.7"},
    ]
    assert await _statuses(api, PROXY, same_client) == [200, 200, 429]
    # Others behind the same proxy have buckets of their own, by X-Forwarded-For or Forwarded.
    assert await _statuses(api, PROXY, [{"X-Forwarded-For": "198.51.100.7, 198.51.100.8"}]) == [200]
    others = [{"Forwarded": 'for="[2001:db8:5::1]:4711";proto=https, for=10.0.0.3'}] * 3
    assert await _statuses(api, PROXY, others) == [200, 200, 429]


@pytest.mark.usefixtures("anonymous_limit_of_2")
async def test_r2_two_ipv6_addresses_in_one_64_share_a_bucket(api):
    assert await _statuses(api, ("2001:db8:1:2::1", 1), [{}]) == [200]
    assert await _statuses(api, ("2001:db8:1:2:ffff:ffff:ffff:fffe", 1), [{}, {}]) == [200, 429]
    assert await _statuses(api, ("2001:db8:1:3::1", 1), [{}]) == [200]
    # A client's /64 behind a trusted IPv6 proxy, too.
    behind = [{"X-Forwarded-For": f"2001:db8:9:9::{n}"} for n in (1, 2, 3)]
    assert await _statuses(api, ("fd00::1", 1), behind) == [200, 200, 429]


async def test_a_session_records_the_client_behind_a_trusted_proxy_not_the_proxy(api):
    forwarded = {"X-Forwarded-For": "198.51.100.44"}
    (challenge,) = await send_at_once(
        api, TEST_PUBLIC_URL, [("POST", "/api/v1/auth/challenge", {"headers": forwarded})], peer=PROXY
    )
    event = api.sign_in_event(generate_secret_key(), challenge.json()["challenge"])
    (login,) = await send_at_once(
        api,
        TEST_PUBLIC_URL,
        [
            (
                "POST",
                "/api/v1/auth/login",
                {"headers": forwarded, "json": {"event": msgspec.to_builtins(event)}},
            )
        ],
        peer=PROXY,
    )
    assert login.status_code == 200, login.text
    bearer = {"Authorization": f"Bearer {login.json()['access_token']}"}

    sessions = (await api.client.get("/api/v1/auth/sessions", headers=bearer)).json()["items"]

    assert [session["ip"] for session in sessions] == ["198.51.100.44"]
