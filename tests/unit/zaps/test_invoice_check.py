"""Z3: the invoice returned has the amount asked and the description hash asked, checked after the
wallet answers."""

import pytest

from adapters.nwc.memory_wallet import MemoryWallet
from domain.nostr.signing import generate_secret_key, public_key_of
from domain.zaps.invoice import WrongInvoice, check_invoice
from domain.zaps.nwc_uri import NwcUri
from domain.zaps.pay_request import address_metadata, description_hash

URI = NwcUri(
    wallet_pubkey=public_key_of(generate_secret_key()), relays=("ws://x",), secret=generate_secret_key()
)
WANTED = description_hash(address_metadata("alice", "example.com"))


async def test_z3_the_invoice_asked_for_passes_with_its_payment_hash_and_expiry() -> None:
    made = await MemoryWallet().make_invoice(URI, amount_msat=21_000, description_hash=WANTED, expiry=600)
    checked = check_invoice(made.bolt11, amount_msat=21_000, description_hash=WANTED)
    assert checked.payment_hash == made.payment_hash
    assert checked.expires_at - checked.created_at == 600


async def test_z3_an_invoice_for_another_amount_is_refused() -> None:
    wallet = MemoryWallet()
    wallet.tamper = lambda amount, hash_: (amount - 1_000, hash_)
    made = await wallet.make_invoice(URI, amount_msat=21_000, description_hash=WANTED, expiry=600)
    with pytest.raises(WrongInvoice, match="amount"):
        check_invoice(made.bolt11, amount_msat=21_000, description_hash=WANTED)


async def test_z3_an_invoice_with_another_description_hash_is_refused() -> None:
    wallet = MemoryWallet()
    wallet.tamper = lambda amount, hash_: (amount, description_hash("something else"))
    made = await wallet.make_invoice(URI, amount_msat=21_000, description_hash=WANTED, expiry=600)
    with pytest.raises(WrongInvoice, match="description hash"):
        check_invoice(made.bolt11, amount_msat=21_000, description_hash=WANTED)


@pytest.mark.parametrize("pr", ["", "lnbc1notaninvoice", "hello"])
def test_z3_something_that_is_not_an_invoice_is_refused(pr: str) -> None:
    with pytest.raises(WrongInvoice, match="decoded"):
        check_invoice(pr, amount_msat=21_000, description_hash=WANTED)
