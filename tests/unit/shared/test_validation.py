"""Input rules of the records: pubkeys, NIP-05 names and domains, API keys, audit entries."""

import re
from datetime import timedelta
from pathlib import Path

import pytest

from domain.api_keys.keys import ApiKey, ApiKeyScope, parse_scopes, status_class_of
from domain.audit.entries import Actor, AuditLog, AuditLogQuery, RequestOrigin
from domain.auth.users import User, UserRole, parse_linking_key
from domain.billing.subscriptions import Currency, Payment, PaymentProviderName, format_receipt_number
from domain.names.custom_domains import CustomDomain, parse_domain_name
from domain.names.nip05 import Nip05, parse_nip05_name, parse_relay_urls, parse_serving_domain
from domain.nostr.pubkeys import is_hex_pubkey, parse_hex_pubkey
from domain.shared.errors import InvalidInput
from domain.shared.hashing import secret_digest
from tests import builders
from tests.builders import NOW

VALID_PUBKEY = "3bf0c63fcb93463407af97a5e5ee64fa883d107ef9e558472c4eb9aaaefa459d"


def test_a_hex_pubkey_is_64_lowercase_hex_characters() -> None:
    assert parse_hex_pubkey(VALID_PUBKEY) == VALID_PUBKEY
    for bad in [
        VALID_PUBKEY.upper(),
        VALID_PUBKEY[:-1],
        VALID_PUBKEY + "0",
        "g" * 64,
        "",
        " " + VALID_PUBKEY[1:],
    ]:
        assert not is_hex_pubkey(bad)
        with pytest.raises(InvalidInput) as raised:
            parse_hex_pubkey(bad)
        assert "pubkey" in raised.value.errors


def test_a_user_needs_a_hex_pubkey_and_a_compressed_linking_key() -> None:
    user = User.register(VALID_PUBKEY, NOW)
    assert (user.role, user.is_active, user.is_admin) == (UserRole.USER, True, False)
    assert user.with_role(UserRole.ADMIN, NOW).is_admin
    with pytest.raises(InvalidInput):
        User.register(VALID_PUBKEY.upper(), NOW)
    for bad in ["04" + "ab" * 32, "02" + "AB" * 32, "02" + "ab" * 31]:
        with pytest.raises(InvalidInput):
            parse_linking_key(bad)
    assert parse_linking_key("03" + "ab" * 32) == "03" + "ab" * 32


@pytest.mark.parametrize("name", ["_", "alice", "a.b-c_d", "0", "x" * 64, "bob.", "-"])
def test_nip05_names_use_only_lowercase_letters_digits_dash_underscore_dot(name: str) -> None:
    assert parse_nip05_name(name) == name


@pytest.mark.parametrize("name", ["", "a b", "al@ce", "añ", "a+b", "x" * 65, "a/b", "émile", "a\tb"])
def test_other_nip05_names_are_rejected(name: str) -> None:
    with pytest.raises(InvalidInput):
        parse_nip05_name(name)


def test_nip05_names_are_lowercased_and_the_root_is_written_as_the_domain() -> None:
    assert parse_nip05_name(" Alice ") == "alice"
    root = Nip05.claim(
        user_id=builders.user().id, name="_", domain="Example.COM.", pubkey=VALID_PUBKEY, now=NOW
    )
    assert (root.is_root, root.domain, root.identifier) == (True, "example.com", "example.com")
    bob = Nip05.claim(
        user_id=builders.user().id, name="Bob", domain="example.com", pubkey=VALID_PUBKEY, now=NOW
    )
    assert (bob.is_root, bob.identifier) == (False, "bob@example.com")


def test_serving_domains_and_relays() -> None:
    assert parse_serving_domain("localhost:8000") == "localhost:8000"
    assert parse_serving_domain("ID.Example.org") == "id.example.org"
    for bad in ["", "exa mple.com", "-bad.com", "a..b", "http://example.com", "x" * 254]:
        with pytest.raises(InvalidInput):
            parse_serving_domain(bad)
    assert parse_relay_urls(["wss://a.example", "ws://b.example:7777/x", "wss://a.example"]) == (
        "wss://a.example",
        "ws://b.example:7777/x",
    )
    for bad_relays in [
        ["https://a.example"],
        ["wss://"],
        ["wss://a.example/ x"],
        [f"wss://r{i}.example" for i in range(21)],
    ]:
        with pytest.raises(InvalidInput):
            parse_relay_urls(bad_relays)


def test_custom_domains_need_two_labels_and_get_a_random_token() -> None:
    assert parse_domain_name("Example.COM.") == "example.com"
    for bad in ["localhost", "example.com:443", "_dmarc.example.com", "ex_ample.com", ""]:
        with pytest.raises(InvalidInput):
            parse_domain_name(bad)
    first = CustomDomain.claim(user_id=builders.user().id, domain="example.com", now=NOW)
    second = CustomDomain.claim(user_id=builders.user().id, domain="example.com", now=NOW)
    assert first.verification_token != second.verification_token
    assert len(first.verification_token) * 4 >= 128
    assert first.txt_record_name == "_nostr-id.example.com"
    assert first.txt_record_value == f"nostr-id-verify={first.verification_token}"


def test_issued_api_keys_are_random_stored_as_digest_and_prefixed() -> None:
    user_id = builders.user().id
    issued = [ApiKey.issue(user_id=user_id, name=" ci ", scopes=["wot:read"], now=NOW) for _ in range(20)]
    assert len({i.key for i in issued}) == 20
    one = issued[0]
    assert one.api_key.key_hash == secret_digest(one.key)
    assert one.key not in one.api_key.key_hash
    assert one.key.startswith(one.api_key.prefix) and len(one.key) - len(one.api_key.prefix) >= 32
    assert one.api_key.name == "ci"
    assert one.api_key.scopes == (ApiKeyScope.WOT_READ,)
    assert one.api_key.is_active and not one.api_key.revoke(NOW).is_active
    assert one.api_key.used(NOW + timedelta(seconds=1)).last_used_at == NOW + timedelta(seconds=1)


def test_scopes_and_status_classes() -> None:
    assert parse_scopes(["wot:read", "nip05:read", "wot:read"]) == (
        ApiKeyScope.NIP05_READ,
        ApiKeyScope.WOT_READ,
    )
    with pytest.raises(InvalidInput):
        parse_scopes(["admin"])
    with pytest.raises(InvalidInput):
        ApiKey.issue(user_id=builders.user().id, name="", scopes=[], now=NOW)
    assert [status_class_of(code) for code in (100, 204, 302, 429, 599)] == [
        "1xx",
        "2xx",
        "3xx",
        "4xx",
        "5xx",
    ]
    for bad in (99, 600, 0):
        with pytest.raises(InvalidInput):
            status_class_of(bad)


def test_receipt_numbers_are_per_year_zero_padded_and_start_at_one() -> None:
    assert format_receipt_number(2026, 1) == "NID-2026-000001"
    assert format_receipt_number(2026, 123) == "NID-2026-000123"
    assert format_receipt_number(2027, 1234567) == "NID-2027-1234567"
    with pytest.raises(InvalidInput):
        format_receipt_number(2026, 0)
    with pytest.raises(InvalidInput):
        format_receipt_number(99, 1)
    with pytest.raises(InvalidInput):
        Payment.open(
            user_id=builders.user().id,
            provider=PaymentProviderName.FAKE,
            provider_invoice_id="inv_1",
            amount=0,
            currency=Currency.SAT,
            now=NOW,
        )


def test_audit_entries_never_carry_secrets() -> None:
    entry = AuditLog.record(
        action="auth.login", now=NOW, actor=Actor(), details={"method": "nip98", "relay": "wss://x"}
    )
    assert entry.details == {"method": "nip98", "relay": "wss://x"}
    for details in [
        {"refresh_token": "abc"},
        {"Token": "abc"},
        {"request": {"headers": {"Authorization": "Bearer x"}}},
        {"attempts": [{"sig": "00"}]},
    ]:
        with pytest.raises(InvalidInput):
            AuditLog.record(action="auth.login", now=NOW, actor=Actor(), details=details)


def test_audit_actions_pubkeys_and_queries_are_checked() -> None:
    for bad_action in ["", "Auth.Login", "auth login", "a" * 101]:
        with pytest.raises(InvalidInput):
            AuditLog.record(action=bad_action, now=NOW, actor=Actor())
    with pytest.raises(InvalidInput):
        AuditLog.record(action="auth.login", now=NOW, actor=Actor(pubkey="npub1xyz"))
    for limit in (0, 1001):
        with pytest.raises(InvalidInput):
            AuditLogQuery(limit=limit)
    entry = AuditLog.record(
        action="auth.login", now=NOW, actor=Actor(origin=RequestOrigin(user_agent="u" * 1000))
    )
    assert len(entry.user_agent or "") == 512
    assert (entry.cursor.at, entry.cursor.id) == (NOW, entry.id)


# Other hex values with a meaning of their own keep their own shapes: a SHA-256 digest, an LNURL k1, a
# compressed linking key (66 characters), and the text forms the API accepts for a pubkey (hex in
# either case, or an npub), a pattern for the OpenAPI document.
OTHER_64_HEX_CONCEPTS = {
    "adapters/payments/lnbits.py",  # a Lightning payment hash
    "domain/shared/hashing.py",
    "domain/auth/lnurl.py",
    "domain/auth/users.py",
    "domain/nostr/nip19.py",
}
HEX_RULE = re.compile(r"\[0-9a-f(A-F)?\]\{64\}|0123456789abcdef")


def test_the_hex_pubkey_rule_has_one_home() -> None:
    root = Path(__file__).resolve().parents[3]
    copies = {
        path.relative_to(root).as_posix()
        for folder in ("domain", "application", "adapters", "bootstrap", "tests", "bench")
        for path in (root / folder).rglob("*.py")
        if HEX_RULE.search(path.read_text().replace(HEX_RULE.pattern, ""))
    }

    assert copies - OTHER_64_HEX_CONCEPTS == {"domain/nostr/pubkeys.py"}
