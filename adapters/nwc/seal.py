"""`FernetSeal`: NWC connection strings encrypted at rest (Fernet: AES-128-CBC and HMAC-SHA256).

Each configured key (any string of at least 32 characters) is turned into a Fernet key by SHA-256.
The first key seals; every key opens, so a new key is put first and the old ones kept until every
connection has been sealed again.
"""

import base64
import hashlib
from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

MIN_KEY_LENGTH = 32


def _fernet(key: str) -> Fernet:
    if len(key) < MIN_KEY_LENGTH:
        raise ValueError(f"a wallet secret key is at least {MIN_KEY_LENGTH} characters")
    digest = hashlib.sha256(b"nostr-id wallet secret key\x00" + key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(digest))


class FernetSeal:
    """The SecretSeal port with Fernet tokens."""

    def __init__(self, keys: Sequence[str]) -> None:
        if not keys:
            raise ValueError("at least one wallet secret key is needed")
        self._fernet = MultiFernet([_fernet(key) for key in keys])

    def seal(self, secret: str) -> str:
        return self._fernet.encrypt(secret.encode()).decode("ascii")

    def open(self, sealed: str) -> str:
        try:
            return self._fernet.decrypt(sealed.encode("ascii")).decode()
        except InvalidToken as error:
            raise ValueError("no wallet secret key opens this connection") from error
