"""NIP-04 against messages encrypted by go-nostr (the cases nostr-tools tests with)."""

import pytest

from domain.nostr import nip04
from domain.nostr.signing import generate_secret_key, public_key_of

SK1 = "91ba716fa9e7ea2fcbad360cf4f8e0d312f73984da63d90f524ad61a6a1e7dbe"
SK2 = "96f6fa197aa07477ab88f6981118466ae3a982faab8ad5db9d5426870c73d220"


def test_a_message_from_go_nostr_decrypts() -> None:
    key = nip04.shared_key(SK2, public_key_of(SK1))
    assert nip04.decrypt("zJxfaJ32rN5Dg1ODjOlEew==?iv=EV5bUjcc4OX2Km/zPp4ndQ==", key) == "nanana"


def test_both_sides_share_the_key_and_read_each_other() -> None:
    first, second = generate_secret_key(), generate_secret_key()
    sent = nip04.encrypt("hello", nip04.shared_key(first, public_key_of(second)))
    assert nip04.decrypt(sent, nip04.shared_key(second, public_key_of(first))) == "hello"


@pytest.mark.parametrize(
    "content", ["", "no-iv-here", "zJxfaJ32rN5Dg1ODjOlEew==?iv=!!", "AAAA?iv=AAAAAAAAAAAAAAAAAAAAAA=="]
)
def test_malformed_content_is_refused(content: str) -> None:
    with pytest.raises(nip04.Nip04Error):
        nip04.decrypt(content, nip04.shared_key(SK2, public_key_of(SK1)))
