"""A wallet's bolt11 invoice, decoded and held to what was asked before anyone is shown it (Z3)."""

import bolt11
import msgspec

from domain.shared.errors import DomainError


class WrongInvoice(DomainError):
    """The wallet answered with an invoice that is not the one asked for (amount or description)."""

    title = "Wallet answered with a wrong invoice"


class CheckedInvoice(msgspec.Struct, frozen=True, kw_only=True):
    """A bolt11 invoice whose amount and description hash were checked."""

    bolt11: str
    payment_hash: str
    amount_msat: int
    created_at: int
    expires_at: int


def check_invoice(pr: str, *, amount_msat: int, description_hash: str) -> CheckedInvoice:
    """Decodes `pr` and checks its amount and description hash; WrongInvoice names what differs."""
    try:
        decoded = bolt11.decode(pr)
    except Exception as error:  # the library raises several unrelated types for malformed input
        raise WrongInvoice("the wallet's invoice cannot be decoded") from error
    if decoded.amount_msat != amount_msat:
        raise WrongInvoice("the wallet's invoice is for another amount")
    if decoded.description_hash != description_hash:
        raise WrongInvoice("the wallet's invoice has another description hash")
    return CheckedInvoice(
        bolt11=pr,
        payment_hash=decoded.payment_hash,
        amount_msat=amount_msat,
        created_at=decoded.date,
        expires_at=decoded.date + decoded.expiry,
    )
