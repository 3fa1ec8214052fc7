"""The service's own Nostr key: from SERVICE_NSEC, or made once and kept under DATA_DIR in development."""

import hashlib
import hmac
import os
from pathlib import Path

from bootstrap.settings import Settings, SettingsError
from domain.nostr.nip19 import decode_nsec
from domain.nostr.pubkeys import is_hex_pubkey
from domain.nostr.signing import generate_secret_key, public_key_of
from domain.shared.errors import InvalidInput

KEY_FILE = "service.nsec"


def _parse(text: str) -> str:
    try:
        secret = text if is_hex_pubkey(text) else decode_nsec(text)
        public_key_of(secret)
    except (InvalidInput, ValueError) as error:
        raise SettingsError(f"SERVICE_NSEC: not a valid nsec or 64-char hex secret key ({error})") from None
    return secret


def service_secret_key(settings: Settings) -> str:
    """The service key as hex. Outside development SERVICE_NSEC is required (settings enforce it)."""
    if settings.service_nsec:
        return _parse(settings.service_nsec)
    path = Path(settings.data_dir) / KEY_FILE
    if path.exists():
        return _parse(path.read_text().strip())
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = generate_secret_key()
    draft = path.with_name(f"{KEY_FILE}.{os.getpid()}")
    descriptor = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(secret)
    try:
        os.link(draft, path)  # atomic: the first process to publish its key wins
    except FileExistsError:
        secret = _parse(path.read_text().strip())
    finally:
        draft.unlink()
    return secret


def jwt_secret(settings: Settings, service_key: str) -> str:
    """JWT_SECRET, or in development one derived from the service key, so every worker agrees."""
    if settings.jwt_secret:
        return settings.jwt_secret
    if not settings.is_development:
        raise SettingsError("JWT_SECRET: required outside development")
    return hashlib.sha256(b"nostr-id session tokens:" + bytes.fromhex(service_key)).hexdigest()


def csrf_secret(settings: Settings, service_key: str) -> str:
    """The key of the pages' CSRF tokens, derived from the session key, so every worker agrees."""
    return hmac.new(jwt_secret(settings, service_key).encode(), b"nostr-id csrf", hashlib.sha256).hexdigest()
