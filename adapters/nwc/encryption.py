"""The two encryptions NIP-47 allows: NIP-44 v2, and NIP-04 for wallets whose info event (kind 13194)
does not list `nip44_v2` in its `encryption` tag."""

from collections.abc import Sequence

from domain.nostr import nip04, nip44
from domain.zaps.nwc_uri import NwcUri

NIP44 = "nip44_v2"
NIP04 = "nip04"
NOTIFICATION_KINDS = {NIP44: 23197, NIP04: 23196}


class CipherError(ValueError):
    """Content that neither encryption can read with this connection's keys."""


def scheme_of(info_tags: Sequence[Sequence[str]] | None) -> str:
    """NIP-44 v2 when the wallet's info event lists it; NIP-04 otherwise, as NIP-47 says."""
    for tag in info_tags or ():
        if len(tag) >= 2 and tag[0] == "encryption" and NIP44 in tag[1].split():
            return NIP44
    return NIP04


class Cipher:
    """Encrypts to and decrypts from the wallet of one connection with one scheme."""

    def __init__(self, uri: NwcUri, scheme: str) -> None:
        self.scheme = scheme
        if scheme == NIP44:
            self._key = nip44.conversation_key(uri.secret, uri.wallet_pubkey)
        else:
            self._key = nip04.shared_key(uri.secret, uri.wallet_pubkey)

    @property
    def request_tags(self) -> list[list[str]]:
        return [["encryption", NIP44]] if self.scheme == NIP44 else []

    def encrypt(self, plaintext: str) -> str:
        if self.scheme == NIP44:
            return nip44.encrypt(plaintext, self._key)
        return nip04.encrypt(plaintext, self._key)

    def decrypt(self, content: str) -> str:
        try:
            if self.scheme == NIP44:
                return nip44.decrypt(content, self._key)
            return nip04.decrypt(content, self._key)
        except (nip44.Nip44Error, nip04.Nip04Error) as error:
            raise CipherError(str(error)) from error
