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
    ApiKey,
    Challenge,
    Checkout,
    CreatedApiKey,
    LnurlPoll,
    LnurlStart,
    Payment,
    Plan,
    PlanFeatures,
    Receipt,
    SessionInfo,
    Subscription,
    Tokens,
    Usage,
    UsageItem,
    User,
    WotFigures,
)
from client.nostr import NostrSigner

__all__ = [
    "ApiError",
    "ApiKey",
    "Challenge",
    "Checkout",
    "CreatedApiKey",
    "LnurlPoll",
    "LnurlStart",
    "NostrIdClient",
    "NostrSigner",
    "Payment",
    "Plan",
    "PlanFeatures",
    "RateLimited",
    "Receipt",
    "SessionInfo",
    "Subscription",
    "Tokens",
    "Usage",
    "UsageItem",
    "User",
    "WotFigures",
]
