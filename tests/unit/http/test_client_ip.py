"""Who the client is behind proxies: the rules of adapters/http/client_ip.py on their own."""

import ipaddress

import pytest

from adapters.http.client_ip import TrustedProxies, parse_address, rate_subject

PROXIES = TrustedProxies([ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("fd00::/8")])


def _client(peer: str, chain: list[str]) -> str | None:
    address = PROXIES.client_of(parse_address(peer), chain)
    return str(address) if address is not None else None


@pytest.mark.parametrize(
    ("peer", "chain", "client"),
    [
        ("203.0.113.9", ["198.51.100.1"], "203.0.113.9"),  # an untrusted peer is the client
        ("10.0.0.1", [], "10.0.0.1"),  # a trusted peer forwarding nothing
        ("10.0.0.1", ["192.0.2.1", "198.51.100.7", "10.0.0.2"], "198.51.100.7"),
        ("10.0.0.1", ["10.0.0.3", "10.0.0.2"], "10.0.0.3"),  # all trusted: the farthest
        ("10.0.0.1", ["198.51.100.7", "garbage"], "10.0.0.1"),  # a bad hop: the last address known
        ("10.0.0.1", ["198.51.100.7", "unknown", "10.0.0.2"], "10.0.0.2"),
        ("10.0.0.1", ["198.51.100.7:5555"], "198.51.100.7"),
        ("10.0.0.1", ['"[2001:db8::7]:4711"'], "2001:db8::7"),
        ("::ffff:10.0.0.1", ["::ffff:198.51.100.7"], "198.51.100.7"),  # IPv4-mapped is IPv4
        ("fd00::1", ["2001:db8::1"], "2001:db8::1"),
    ],
)
def test_r2_the_client_is_the_right_most_address_that_is_not_a_trusted_proxy(peer, chain, client):
    assert _client(peer, chain) == client


def test_without_trusted_proxies_the_peer_is_always_the_client():
    assert TrustedProxies([]).client_of(parse_address("10.0.0.1"), ["198.51.100.7"]) == parse_address(
        "10.0.0.1"
    )


def test_r2_ipv6_clients_are_charged_per_64_and_ipv4_clients_per_address():
    def subject(host: str | None) -> str:
        return rate_subject({"type": "http", "client": (host, 1) if host else None})  # type: ignore[typeddict-item]

    assert subject("2001:db8:1:2::1") == subject("2001:db8:1:2:ffff::9") == "2001:db8:1:2::/64"
    assert subject("2001:db8:1:3::1") == "2001:db8:1:3::/64"
    assert subject("198.51.100.7") == "198.51.100.7"
    assert subject("testclient") == subject(None) == "unknown"
