"""LUD-04 signatures: strict DER, low S, compressed keys, over the raw k1 (promise L2)."""

import hashlib
import secrets

import pytest
from bech32 import CHARSET, bech32_decode, bech32_hrp_expand, bech32_polymod, convertbits
from coincurve import PrivateKey

from domain.auth.lnurl_protocol import (
    CURVE_ORDER,
    LnurlRefused,
    encode_lnurl,
    parse_der_signature,
    verify_wallet_signature,
)


def _wallet() -> PrivateKey:
    return PrivateKey(secrets.token_bytes(32))


def _sign(wallet: PrivateKey, k1: str) -> str:
    return wallet.sign(bytes.fromhex(k1), hasher=None).hex()


def _reencode(r: int, s: int) -> bytes:
    def integer(value: int) -> bytes:
        body = value.to_bytes((value.bit_length() + 8) // 8, "big")
        return bytes([0x02, len(body)]) + body

    content = integer(r) + integer(s)
    return bytes([0x30, len(content)]) + content


def test_a_signature_over_the_raw_k1_by_a_compressed_key_verifies():
    wallet, k1 = _wallet(), secrets.token_hex(32)
    key = wallet.public_key.format(compressed=True).hex()

    assert verify_wallet_signature(k1, _sign(wallet, k1), key) == key


def test_l2_a_signature_over_sha256_of_k1_is_rejected():
    wallet, k1 = _wallet(), secrets.token_hex(32)
    key = wallet.public_key.format(compressed=True).hex()
    over_hash = wallet.sign(bytes.fromhex(k1)).hex()  # coincurve hashes with sha256 by default

    with pytest.raises(LnurlRefused, match="does not verify"):
        verify_wallet_signature(k1, over_hash, key)


def test_l2_an_uncompressed_key_is_rejected_even_with_a_good_signature():
    wallet, k1 = _wallet(), secrets.token_hex(32)
    uncompressed = wallet.public_key.format(compressed=False).hex()

    with pytest.raises(LnurlRefused, match="compressed"):
        verify_wallet_signature(k1, _sign(wallet, k1), uncompressed)


def test_l2_a_compact_not_der_signature_is_rejected():
    wallet, k1 = _wallet(), secrets.token_hex(32)
    key = wallet.public_key.format(compressed=True).hex()
    r, s = parse_der_signature(bytes.fromhex(_sign(wallet, k1)))
    compact = (r.to_bytes(32, "big") + s.to_bytes(32, "big")).hex()

    with pytest.raises(LnurlRefused, match="DER"):
        verify_wallet_signature(k1, compact, key)


def test_l2_loose_der_with_a_padded_number_is_rejected():
    wallet, k1 = _wallet(), secrets.token_hex(32)
    key = wallet.public_key.format(compressed=True).hex()
    r, s = parse_der_signature(bytes.fromhex(_sign(wallet, k1)))
    body = b"\x00" + r.to_bytes((r.bit_length() + 8) // 8, "big")
    if body[1] & 0x80:  # r already needs one zero byte: pad with a second
        body = b"\x00" + body
    s_body = s.to_bytes((s.bit_length() + 8) // 8, "big")
    content = bytes([2, len(body)]) + body + bytes([2, len(s_body)]) + s_body
    padded = (bytes([0x30, len(content)]) + content).hex()

    with pytest.raises(LnurlRefused, match="strict DER"):
        verify_wallet_signature(k1, padded, key)


def test_l2_trailing_bytes_after_the_der_signature_are_rejected():
    wallet, k1 = _wallet(), secrets.token_hex(32)
    key = wallet.public_key.format(compressed=True).hex()

    with pytest.raises(LnurlRefused, match="DER"):
        verify_wallet_signature(k1, _sign(wallet, k1) + "00", key)


def test_a_high_s_signature_is_normalized_to_low_s_and_verifies():
    wallet, k1 = _wallet(), secrets.token_hex(32)
    key = wallet.public_key.format(compressed=True).hex()
    r, s = parse_der_signature(bytes.fromhex(_sign(wallet, k1)))
    assert s <= CURVE_ORDER // 2
    high_s = _reencode(r, CURVE_ORDER - s).hex()

    assert verify_wallet_signature(k1, high_s, key) == key


def test_a_signature_by_another_key_or_over_another_k1_is_rejected():
    wallet, k1 = _wallet(), secrets.token_hex(32)
    other_key = _wallet().public_key.format(compressed=True).hex()

    with pytest.raises(LnurlRefused):
        verify_wallet_signature(k1, _sign(wallet, k1), other_key)
    with pytest.raises(LnurlRefused):
        verify_wallet_signature(secrets.token_hex(32), _sign(wallet, k1), wallet.public_key.format().hex())


def test_a_key_not_on_the_curve_and_a_malformed_k1_are_rejected():
    wallet, k1 = _wallet(), secrets.token_hex(32)
    with pytest.raises(LnurlRefused, match="secp256k1"):
        verify_wallet_signature(k1, _sign(wallet, k1), "02" + "00" * 32)
    with pytest.raises(LnurlRefused, match="k1"):
        verify_wallet_signature(k1.upper(), _sign(wallet, k1), wallet.public_key.format().hex())


def test_the_lnurl_is_bech32_of_the_callback_url_beyond_90_characters():
    url = "https://id.example.com/api/v1/auth/lnurl/callback?tag=login&k1=" + hashlib.sha256(b"x").hexdigest()
    lnurl = encode_lnurl(url)

    assert lnurl.startswith("LNURL1") and len(lnurl) > 90
    hrp, data = bech32_decode(lnurl.lower())
    assert hrp == "lnurl"
    assert bytes(convertbits(data, 5, 8, False)).decode() == url
    words = [CHARSET.find(c) for c in lnurl.lower()[len("lnurl1") :]]
    assert bech32_polymod(bech32_hrp_expand("lnurl") + words) == 1  # bech32, not bech32m
