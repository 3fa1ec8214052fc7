"""Just enough NIP-01 to sign the events the API asks for: sign-in (kind 22242) and NIP-98 (27235)."""

import base64
import hashlib
import json
import secrets
import time
from collections.abc import Sequence
from typing import Any

from coincurve import PrivateKey

SIGN_IN_KIND = 22242
HTTP_AUTH_KIND = 27235


class NostrSigner:
    """Signs events with one secret key (64 hex characters)."""

    def __init__(self, secret_key_hex: str) -> None:
        self._key = PrivateKey(bytes.fromhex(secret_key_hex))
        self.pubkey = self._key.public_key_xonly.format().hex()

    @classmethod
    def generate(cls) -> "NostrSigner":
        return cls(secrets.token_hex(32))

    def sign(
        self,
        kind: int,
        tags: Sequence[Sequence[str]],
        content: str = "",
        created_at: int | None = None,
        aux_rand: bytes | None = None,
    ) -> dict[str, Any]:
        """A signed event as a JSON-ready dict (NIP-01 id, BIP-340 signature).

        `aux_rand` is BIP-340's auxiliary randomness (32 bytes, fresh by default); a fixed value
        gives a reproducible signature, for fixtures."""
        created_at = int(time.time()) if created_at is None else created_at
        tag_lists = [list(tag) for tag in tags]
        serialized = json.dumps(
            [0, self.pubkey, created_at, kind, tag_lists, content], separators=(",", ":"), ensure_ascii=False
        )
        event_id = hashlib.sha256(serialized.encode("utf-8")).digest()
        signature = self._key.sign_schnorr(event_id, aux_rand or secrets.token_bytes(32))
        return {
            "id": event_id.hex(),
            "pubkey": self.pubkey,
            "created_at": created_at,
            "kind": kind,
            "tags": tag_lists,
            "content": content,
            "sig": signature.hex(),
        }

    def sign_in_event(
        self, challenge: str, public_url: str, extra_tags: Sequence[Sequence[str]] = ()
    ) -> dict[str, Any]:
        return self.sign(SIGN_IN_KIND, [["relay", public_url], ["challenge", challenge], *extra_tags])

    def http_authorization(self, url: str, method: str, body: bytes = b"") -> str:
        """The `Authorization: Nostr ...` value of a NIP-98 request to the exact absolute URL."""
        tags = [["u", url], ["method", method.upper()]]
        if body:
            tags.append(["payload", hashlib.sha256(body).hexdigest()])
        event = self.sign(HTTP_AUTH_KIND, tags)
        return "Nostr " + base64.b64encode(json.dumps(event, separators=(",", ":")).encode()).decode()
