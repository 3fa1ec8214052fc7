"""Custom domains a user brings for NIP-05 names, proven by a DNS TXT record with a random token."""

import ipaddress
import re
import secrets
from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID, uuid4

import idna
from msgspec import Struct, structs

from domain.shared.errors import InvalidInput
from domain.shared.hashing import same_secret
from domain.shared.transitions import check_transition

LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
DOMAIN_SHAPE = re.compile(rf"{LABEL}(?:\.{LABEL})+")
_ANY_CASE_LABEL = LABEL.replace("a-z", "A-Za-z")
_TOP_LABEL = "[A-Za-z](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
# Letters IDNA takes whole in any label: Latin-1, Greek and Cyrillic letters, common CJK ideographs.
_WIDE_LETTER = (
    "\u00c0-\u00d6\u00d8-\u00f6\u00f8-\u00ff\u0391-\u03a1\u03a3-\u03a9\u03b1-\u03c9\u0410-\u044f\u4e00-\u9fa5"
)
_WIDE_LABEL = f"[A-Za-z0-9{_WIDE_LETTER}]{{1,10}}"
_WIDE_TOP_LABEL = f"[A-Za-z{_WIDE_LETTER}]{{1,10}}"
# The shape of a domain a user brings, as a request may give it: labels of letters, digits and
# hyphens under a top-level label that starts with a letter; or, for an international name, up to
# five short labels of letters IDNA takes. IDNA (UTS 46) and the special-use names are checked
# by parse_custom_domain; the OpenAPI document names the whole rule with a format.
_ASCII_DOMAIN = rf"(?:{_ANY_CASE_LABEL}\.)+{_TOP_LABEL}"
_WIDE_DOMAIN = rf"(?:(?:{_ANY_CASE_LABEL}|{_WIDE_LABEL})\.){{1,4}}{_WIDE_TOP_LABEL}"
CUSTOM_DOMAIN_PATTERN = rf"^(?:{_ASCII_DOMAIN}|{_WIDE_DOMAIN})\.?$"
TOKEN_SHAPE = re.compile(r"[0-9a-f]{32,128}")
TXT_RECORD_LABEL = "_nostr-id"
TXT_VALUE_PREFIX = "nostr-id-verify="
# How long a verified domain may miss its TXT record before its names stop being served.
RECHECK_GRACE = timedelta(hours=72)
# Special-use and reserved names (RFC 2606, 6761, 6762, 7686, 8375, 9476; ICANN .internal):
# nobody can prove them in public DNS, and several resolve to private networks.
SPECIAL_USE_SUFFIXES = (
    "alt",
    "arpa",
    "example",
    "example.com",
    "example.net",
    "example.org",
    "home.arpa",
    "internal",
    "invalid",
    "lan",
    "local",
    "localdomain",
    "localhost",
    "onion",
    "test",
)


class CustomDomainStatus(StrEnum):
    PENDING = "pending"
    VERIFIED = "verified"
    FAILED = "failed"
    # Was verified, lost its TXT record for longer than the grace period; restored when it returns.
    SUSPENDED = "suspended"


CUSTOM_DOMAIN_TRANSITIONS = {
    CustomDomainStatus.PENDING: frozenset({CustomDomainStatus.VERIFIED, CustomDomainStatus.FAILED}),
    CustomDomainStatus.VERIFIED: frozenset({CustomDomainStatus.FAILED, CustomDomainStatus.SUSPENDED}),
    CustomDomainStatus.FAILED: frozenset({CustomDomainStatus.VERIFIED}),
    # A suspended claim fails when another user proves the domain with their own record.
    CustomDomainStatus.SUSPENDED: frozenset({CustomDomainStatus.VERIFIED, CustomDomainStatus.FAILED}),
}


MAX_DOMAIN_LENGTH = 253


def parse_domain_name(value: str) -> str:
    """A public DNS name with at least two labels, lowercased, without a trailing dot."""
    domain = value.strip().lower().rstrip(".") if isinstance(value, str) else ""
    if len(domain) > MAX_DOMAIN_LENGTH or DOMAIN_SHAPE.fullmatch(domain) is None:
        raise InvalidInput("domain must be a DNS name such as example.com", {"domain": "not a DNS name"})
    return domain


def parse_custom_domain(value: str) -> str:
    """A domain a user may bring: IDNA-normalized to its ASCII form (UTS 46), lowercased, and
    neither an IP address, `localhost`, nor a special-use or reserved name."""
    raw = value.strip().rstrip(".") if isinstance(value, str) else ""
    try:
        ipaddress.ip_address(raw.strip("[]"))
    except ValueError:
        pass
    else:
        raise InvalidInput("an IP address is not a domain", {"domain": "IP addresses are refused"})
    try:
        ascii_form = idna.encode(raw, uts46=True, transitional=False).decode("ascii")
    except (idna.IDNAError, UnicodeError):
        raise InvalidInput(
            "domain is not a valid international domain name", {"domain": "not IDNA"}
        ) from None
    domain = parse_domain_name(ascii_form)
    if any(domain == suffix or domain.endswith("." + suffix) for suffix in SPECIAL_USE_SUFFIXES):
        raise InvalidInput(
            "special-use and reserved domains cannot be verified", {"domain": "reserved or special-use"}
        )
    if domain.split(".")[-1].isdigit():
        raise InvalidInput("the top-level label of a domain is not numeric", {"domain": "not a DNS name"})
    return domain


def domain_token_matches(token: str, txt_values: list[str]) -> bool:
    """Whether one of the TXT strings found is exactly `nostr-id-verify=<token>`."""
    expected = TXT_VALUE_PREFIX + token
    return any(same_secret(value.strip(), expected) for value in txt_values)


class CustomDomain(Struct, frozen=True, kw_only=True):
    id: UUID
    user_id: UUID
    domain: str
    verification_token: str
    status: CustomDomainStatus = CustomDomainStatus.PENDING
    created_at: datetime
    updated_at: datetime
    verified_at: datetime | None = None
    last_checked_at: datetime | None = None
    record_missing_since: datetime | None = None

    def __post_init__(self) -> None:
        if parse_domain_name(self.domain) != self.domain:
            raise InvalidInput("domain must be lowercase", {"domain": "must be lowercase"})
        if TOKEN_SHAPE.fullmatch(self.verification_token) is None:
            raise InvalidInput("verification token must be 32 to 128 lowercase hex characters")

    @classmethod
    def claim(cls, *, user_id: UUID, domain: str, now: datetime) -> "CustomDomain":
        return cls(
            id=uuid4(),
            user_id=user_id,
            domain=parse_domain_name(domain),
            verification_token=secrets.token_hex(16),
            created_at=now,
            updated_at=now,
        )

    @property
    def txt_record_name(self) -> str:
        return f"{TXT_RECORD_LABEL}.{self.domain}"

    @property
    def txt_record_value(self) -> str:
        return f"{TXT_VALUE_PREFIX}{self.verification_token}"

    @property
    def is_serving(self) -> bool:
        return self.status is CustomDomainStatus.VERIFIED

    def mark_verified(self, now: datetime) -> "CustomDomain":
        status = check_transition(
            "domain", self.status, CustomDomainStatus.VERIFIED, CUSTOM_DOMAIN_TRANSITIONS
        )
        return structs.replace(
            self,
            status=status,
            verified_at=now,
            last_checked_at=now,
            record_missing_since=None,
            updated_at=now,
        )

    def rechecked(self, found: bool, now: datetime, grace: timedelta = RECHECK_GRACE) -> "CustomDomain":
        """The outcome of a periodic re-check: a verified domain missing its record is suspended
        once the grace period has passed; a suspended one is restored when the record is back."""
        if found:
            if self.status in (
                CustomDomainStatus.SUSPENDED,
                CustomDomainStatus.PENDING,
                CustomDomainStatus.FAILED,
            ):
                return self.mark_verified(now)
            return structs.replace(self, last_checked_at=now, record_missing_since=None, updated_at=now)
        missing_since = self.record_missing_since or now
        if self.status is CustomDomainStatus.VERIFIED and now >= missing_since + grace:
            return structs.replace(self.suspend(now), record_missing_since=missing_since)
        return structs.replace(self, last_checked_at=now, record_missing_since=missing_since, updated_at=now)

    def suspend(self, now: datetime) -> "CustomDomain":
        status = check_transition(
            "domain", self.status, CustomDomainStatus.SUSPENDED, CUSTOM_DOMAIN_TRANSITIONS
        )
        return structs.replace(self, status=status, last_checked_at=now, updated_at=now)

    def mark_failed(self, now: datetime) -> "CustomDomain":
        status = check_transition("domain", self.status, CustomDomainStatus.FAILED, CUSTOM_DOMAIN_TRANSITIONS)
        return structs.replace(self, status=status, last_checked_at=now, updated_at=now)

    def lost_to_new_holder(self, now: datetime) -> "CustomDomain":
        """Another user proved the domain with their own TXT record: this claim no longer holds it."""
        status = check_transition("domain", self.status, CustomDomainStatus.FAILED, CUSTOM_DOMAIN_TRANSITIONS)
        return structs.replace(self, status=status, record_missing_since=None, updated_at=now)

    def checked(self, now: datetime) -> "CustomDomain":
        """A check that changed nothing (the record is not there yet)."""
        return structs.replace(self, last_checked_at=now, updated_at=now)
