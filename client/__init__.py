"""A typed Python client of the nostr-id HTTP API (httpx).

It imports nothing of the service, so a consumer can install it alone:

    from client import NostrIdClient

    api = NostrIdClient("https://id.example.com")
    tokens = api.sign_in_with_nostr(secret_key_hex)      # challenge, signed kind-22242 event, login
    me = api.with_bearer(tokens.access_token).me()
"""

from client.api import NostrIdClient
from client.errors import ApiError, RateLimited
from client.models import (
    AdminUser,
    ApiKey,
    AuditEntry,
    Challenge,
    Checkout,
    CreatedApiKey,
    CustomDomain,
    DomainCheck,
    KeyRecovery,
    LinkedWallet,
    LnurlPoll,
    LnurlStart,
    NameAvailability,
    Nip05Name,
    NostrJson,
    Payment,
    Plan,
    PlanFeatures,
    Receipt,
    RotatedAccount,
    SessionInfo,
    Subscription,
    Tokens,
    TransferOffer,
    Usage,
    UsageItem,
    User,
    WotFigures,
)
from client.nostr import NostrSigner

__all__ = [
    "AdminUser",
    "ApiError",
    "ApiKey",
    "AuditEntry",
    "Challenge",
    "Checkout",
    "CreatedApiKey",
    "CustomDomain",
    "DomainCheck",
    "KeyRecovery",
    "LinkedWallet",
    "LnurlPoll",
    "LnurlStart",
    "NameAvailability",
    "Nip05Name",
    "NostrIdClient",
    "NostrJson",
    "NostrSigner",
    "Payment",
    "Plan",
    "PlanFeatures",
    "RateLimited",
    "Receipt",
    "RotatedAccount",
    "SessionInfo",
    "Subscription",
    "Tokens",
    "TransferOffer",
    "Usage",
    "UsageItem",
    "User",
    "WotFigures",
]
