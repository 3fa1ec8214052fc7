"""NIP-47 request, answer and notification bodies (the plaintext inside the encrypted content)."""

from typing import Any

import msgspec

from domain.zaps.ports import WalletInvoice

REQUEST_KIND = 23194
RESPONSE_KIND = 23195
INFO_KIND = 13194


class Nip47Error(msgspec.Struct, frozen=True):
    code: str = "OTHER"
    message: str = ""


class Nip47Request(msgspec.Struct, frozen=True):
    method: str
    params: dict[str, Any]


class Nip47Response(msgspec.Struct, frozen=True):
    result_type: str = ""
    error: Nip47Error | None = None
    result: dict[str, Any] | None = None


class Nip47Notification(msgspec.Struct, frozen=True):
    notification_type: str
    notification: dict[str, Any]


def invoice_from(result: dict[str, Any]) -> WalletInvoice:
    """A transaction object of an answer or notification as a WalletInvoice; ValueError when malformed."""
    try:
        return WalletInvoice(
            bolt11=str(result.get("invoice") or ""),
            payment_hash=str(result["payment_hash"]),
            amount_msat=int(result.get("amount") or 0),
            settled_at=int(result["settled_at"]) if result.get("settled_at") else None,
            preimage=str(result["preimage"]) if result.get("preimage") else None,
            expires_at=int(result["expires_at"]) if result.get("expires_at") else None,
        )
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError("malformed NIP-47 transaction") from error
