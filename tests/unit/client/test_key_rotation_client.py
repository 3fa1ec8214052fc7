"""The client's key rotation sends events the service's consent rule accepts."""

import json
from datetime import UTC, datetime

import httpx

from client import NostrIdClient, NostrSigner
from domain.auth.key_rotation import check_consent
from domain.nostr.event import Event
from domain.nostr.nip19 import encode_npub
from domain.nostr.signing import generate_secret_key

PUBLIC_URL = "https://id.example.com"
CHALLENGE = "ab" * 32


def _event(raw: dict) -> Event:
    return Event(**{**raw, "tags": tuple(tuple(tag) for tag in raw["tags"])})


def test_rotate_to_signs_one_challenge_with_both_keys_and_the_old_one_consents():
    old_secret, new_secret = generate_secret_key(), generate_secret_key()
    old, new = NostrSigner(old_secret), NostrSigner(new_secret)
    seen: list[dict] = []

    def answer(request: httpx.Request) -> httpx.Response:
        if request.url.path == "/api/v1/auth/challenge":
            return httpx.Response(201, json={"challenge": CHALLENGE, "expires_at": "2026-01-01T00:05:00Z"})
        body = json.loads(request.content)
        seen.append(body)
        pubkey = body["new_key_event"]["pubkey"]
        return httpx.Response(
            200,
            json={
                "id": "a11ce000-0000-4000-8000-000000000001",
                "pubkey": pubkey,
                "npub": encode_npub(pubkey),
            },
        )

    client = NostrIdClient(PUBLIC_URL, transport=httpx.MockTransport(answer))
    rotated = client.rotate_to(old_secret, new_secret)

    [body] = seen
    challenge = check_consent(
        _event(body["new_key_event"]),
        _event(body["old_key_event"]),
        old_pubkey=old.pubkey,
        public_url=PUBLIC_URL,
        now=datetime.now(UTC),
    )
    assert challenge == CHALLENGE
    assert rotated.pubkey == new.pubkey
