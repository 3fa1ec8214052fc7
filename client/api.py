"""NostrIdClient: one method per endpoint, typed answers, errors as ApiError."""

from datetime import date
from typing import Any, TypeVar

import httpx
import msgspec

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
    Me,
    NameAvailability,
    Nip05Name,
    NostrJson,
    Page,
    Payment,
    Plan,
    Receipt,
    RotatedAccount,
    SessionInfo,
    Subscription,
    Tokens,
    TransferOffer,
    Usage,
    WotFigures,
)
from client.nostr import NostrSigner

T = TypeVar("T")


class _Items(msgspec.Struct):
    items: list[Any]


class NostrIdClient:
    """A client of one nostr-id service, authenticated one way or none.

    `with_bearer(token)`, `with_nostr_key(secret_key_hex)` (a NIP-98 event per request) and
    `with_api_key(key)` answer a client of the same service authenticated that way. `public_url`
    is the service's public origin (NIP-98 URLs and the sign-in `relay` tag); it defaults to
    `base_url`. `transport` lets tests and embedders pass an httpx transport.
    """

    def __init__(
        self,
        base_url: str,
        *,
        public_url: str | None = None,
        timeout: float = 10.0,
        transport: httpx.BaseTransport | None = None,
        _auth: tuple[str, Any] | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.public_url = (public_url or base_url).rstrip("/")
        self._timeout = timeout
        self._transport = transport
        self._auth = _auth
        self._http = httpx.Client(base_url=self.base_url, timeout=timeout, transport=transport)

    def _with(self, auth: tuple[str, Any] | None) -> "NostrIdClient":
        return NostrIdClient(
            self.base_url,
            public_url=self.public_url,
            timeout=self._timeout,
            transport=self._transport,
            _auth=auth,
        )

    def with_bearer(self, access_token: str) -> "NostrIdClient":
        return self._with(("bearer", access_token))

    def with_nostr_key(self, secret_key_hex: str) -> "NostrIdClient":
        return self._with(("nostr", NostrSigner(secret_key_hex)))

    def with_api_key(self, key: str) -> "NostrIdClient":
        return self._with(("api_key", key))

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "NostrIdClient":
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    # Sign-in and sessions

    def challenge(self) -> Challenge:
        return self._call("POST", "/api/v1/auth/challenge", Challenge)

    def login(self, event: dict[str, Any]) -> Tokens:
        return self._call("POST", "/api/v1/auth/login", Tokens, json={"event": event})

    def sign_in_with_nostr(self, secret_key_hex: str) -> Tokens:
        """Asks for a challenge, signs it (kind 22242 with `challenge` and `relay` tags), logs in."""
        challenge = self.challenge()
        event = NostrSigner(secret_key_hex).sign_in_event(challenge.challenge, self.public_url)
        return self.login(event)

    def refresh(self, refresh_token: str) -> Tokens:
        return self._call("POST", "/api/v1/auth/refresh", Tokens, json={"refresh_token": refresh_token})

    def logout(self) -> None:
        self._call("POST", "/api/v1/auth/logout", None)

    def logout_all(self) -> None:
        self._call("POST", "/api/v1/auth/logout-all", None)

    def sessions(self) -> list[SessionInfo]:
        return self._items("/api/v1/auth/sessions", SessionInfo)

    def revoke_session(self, session_id: str) -> None:
        self._call("DELETE", f"/api/v1/auth/sessions/{session_id}", None)

    def me(self) -> Me:
        return self._call("GET", "/api/v1/me", Me)

    def set_reminders(self, reminders: bool) -> Me:
        """Turns renewal reminders by Nostr direct message on or off."""
        return self._call("PATCH", "/api/v1/me", Me, json={"reminders": reminders})

    # Key rotation

    def rotate_key(self, new_key_event: dict[str, Any], old_key_event: dict[str, Any]) -> RotatedAccount:
        """Moves the account to a new key: both kind-22242 events over one challenge, the old key's
        tagged `["p", <new pubkey>]`. Every session of the account ends."""
        body = {"new_key_event": new_key_event, "old_key_event": old_key_event}
        return self._call("POST", "/api/v1/me/key-rotation", RotatedAccount, json=body)

    def rotate_to(self, old_secret_key_hex: str, new_secret_key_hex: str) -> RotatedAccount:
        """Asks for a challenge, signs it with both keys (the old one consenting), rotates."""
        challenge = self.challenge().challenge
        new = NostrSigner(new_secret_key_hex)
        old = NostrSigner(old_secret_key_hex)
        return self.rotate_key(
            new.sign_in_event(challenge, self.public_url),
            old.sign_in_event(challenge, self.public_url, [["p", new.pubkey]]),
        )

    def request_key_recovery(self, new_key_event: dict[str, Any]) -> KeyRecovery:
        """From a session a linked LNURL-auth wallet signed in: the account moves to the new key
        after seven days unless the old key cancels."""
        body = {"new_key_event": new_key_event}
        return self._call("POST", "/api/v1/me/key-rotation/recovery", KeyRecovery, json=body)

    def cancel_key_recovery(self) -> None:
        """By the account's own key: cancels a pending recovery."""
        self._call("DELETE", "/api/v1/me/key-rotation/recovery", None)

    # Lightning wallet sign-in (LNURL-auth)

    def lnurl_start(self, action: str = "login") -> LnurlStart:
        """A k1 for a wallet: show `lnurl` as a QR code, then poll `lnurl_poll(started.poll)`.
        `link` must be asked by a client made `with_nostr_key` (a fresh NIP-98 signature)."""
        return self._call("POST", "/api/v1/auth/lnurl", LnurlStart, json={"action": action})

    def lnurl_poll(self, poll: str) -> LnurlPoll:
        """The outcome, asked with the start answer's poll secret; a login's tokens come once."""
        return self._call("GET", f"/api/v1/auth/lnurl/{poll}", LnurlPoll)

    def wallets(self) -> list[LinkedWallet]:
        return self._items("/api/v1/auth/wallets", LinkedWallet)

    def unlink_wallet(self, wallet_id: str) -> None:
        self._call("DELETE", f"/api/v1/auth/wallets/{wallet_id}", None)

    # API keys

    def create_api_key(self, name: str, scopes: list[str]) -> CreatedApiKey:
        return self._call("POST", "/api/v1/api-keys", CreatedApiKey, json={"name": name, "scopes": scopes})

    def api_keys(self) -> list[ApiKey]:
        return self._items("/api/v1/api-keys", ApiKey)

    def revoke_api_key(self, api_key_id: str) -> None:
        self._call("DELETE", f"/api/v1/api-keys/{api_key_id}", None)

    def api_key_usage(
        self, api_key_id: str, first_day: date | None = None, last_day: date | None = None
    ) -> Usage:
        params = {}
        if first_day is not None:
            params["from"] = first_day.isoformat()
        if last_day is not None:
            params["to"] = last_day.isoformat()
        return self._call("GET", f"/api/v1/api-keys/{api_key_id}/usage", Usage, params=params)

    # Web of Trust

    def wot(self, pubkey: str) -> WotFigures:
        return self._call("GET", f"/api/v1/wot/{pubkey}", WotFigures)

    def wot_batch(self, pubkeys: list[str]) -> list[WotFigures]:
        answer = self._call("POST", "/api/v1/wot/batch", _Items, json={"pubkeys": pubkeys})
        return msgspec.convert(answer.items, list[WotFigures])

    # Plans, subscriptions and payments

    def plans(self) -> list[Plan]:
        """Every plan; signed in, the prices carry the caller's Web-of-Trust discount."""
        return self._items("/api/v1/plans", Plan)

    def subscribe(self, plan_id: str, provider: str, names: list[str] | None = None) -> Checkout:
        """Orders a plan: the pending subscription and the invoice to pay (`checkout_url` or `bolt11`).

        `names` are held for you until the invoice ends and registered when it is paid."""
        body: dict[str, Any] = {"plan_id": plan_id, "provider": provider}
        if names:
            body["names"] = names
        return self._call("POST", "/api/v1/subscriptions", Checkout, json=body)

    def my_subscription(self) -> Subscription:
        return self._call("GET", "/api/v1/subscriptions/me", Subscription)

    def cancel_subscription(self) -> Subscription:
        """Cancels at the end of the paid period."""
        return self._call("POST", "/api/v1/subscriptions/me/cancel", Subscription)

    def payment(self, payment_id: str) -> Payment:
        return self._call("GET", f"/api/v1/payments/{payment_id}", Payment)

    def receipt(self, payment_id: str) -> Receipt:
        return self._call("GET", f"/api/v1/payments/{payment_id}/receipt", Receipt)

    def fake_settle(self, payment_id: str) -> Payment:
        """Pays an invoice of the `fake` provider (never available in production)."""
        return self._call("POST", f"/api/v1/payments/{payment_id}/fake-settle", Payment)

    # NIP-05 names and custom domains

    def name_availability(self, name: str, domain: str | None = None) -> NameAvailability:
        params = {"name": name, **({"domain": domain} if domain else {})}
        return self._call("GET", "/api/v1/nip05/availability", NameAvailability, params=params)

    def register_name(
        self, name: str, domain: str | None = None, relays: list[str] | None = None
    ) -> Nip05Name:
        body: dict[str, Any] = {"name": name, "relays": relays or []}
        if domain is not None:
            body["domain"] = domain
        return self._call("POST", "/api/v1/nip05", Nip05Name, json=body)

    def names(self) -> list[Nip05Name]:
        return self._items("/api/v1/nip05", Nip05Name)

    def update_name_relays(self, name_id: str, relays: list[str]) -> Nip05Name:
        return self._call("PATCH", f"/api/v1/nip05/{name_id}", Nip05Name, json={"relays": relays})

    def lock_name(self, name_id: str, locked: bool = True) -> Nip05Name:
        """Locks one of your names against transfer offers (or unlocks it with `locked=False`)."""
        return self._call("PATCH", f"/api/v1/nip05/{name_id}", Nip05Name, json={"locked": locked})

    def release_name(self, name_id: str) -> None:
        self._call("DELETE", f"/api/v1/nip05/{name_id}", None)

    def offer_name(self, name_id: str, to_pubkey: str) -> TransferOffer:
        """Offers one of your names to another pubkey (hex or npub), open for seven days."""
        return self._call(
            "POST", f"/api/v1/nip05/{name_id}/offers", TransferOffer, json={"to_pubkey": to_pubkey}
        )

    def offers(self) -> list[TransferOffer]:
        """The open offers you made and those made to your pubkey."""
        return self._items("/api/v1/nip05/offers", TransferOffer)

    def accept_offer(self, offer_id: str) -> Nip05Name:
        """Takes a name offered to your pubkey; it is yours at once."""
        return self._call("POST", f"/api/v1/nip05/offers/{offer_id}/accept", Nip05Name)

    def cancel_offer(self, offer_id: str) -> None:
        """Withdraws an offer you made."""
        self._call("DELETE", f"/api/v1/nip05/offers/{offer_id}", None)

    def add_domain(self, domain: str) -> CustomDomain:
        return self._call("POST", "/api/v1/domains", CustomDomain, json={"domain": domain})

    def domains(self) -> list[CustomDomain]:
        return self._items("/api/v1/domains", CustomDomain)

    def verify_domain(self, domain_id: str) -> DomainCheck:
        return self._call("POST", f"/api/v1/domains/{domain_id}/verify", DomainCheck)

    def remove_domain(self, domain_id: str) -> None:
        self._call("DELETE", f"/api/v1/domains/{domain_id}", None)

    def nostr_json(self, name: str, domain: str | None = None) -> NostrJson:
        """The NIP-05 document for a name; `domain` (sent as the Host) when the base URL is not it."""
        headers = {"Host": domain} if domain else {}
        return self._call("GET", "/.well-known/nostr.json", NostrJson, params={"name": name}, headers=headers)

    # Administration (role admin)

    def admin_users(
        self, query: str | None = None, cursor: str | None = None
    ) -> tuple[list[AdminUser], str | None]:
        params = {key: value for key, value in (("query", query), ("cursor", cursor)) if value}
        page = self._call("GET", "/api/v1/admin/users", Page, params=params)
        return [msgspec.json.decode(item, type=AdminUser) for item in page.items], page.next_cursor

    def suspend_user(self, user_id: str) -> AdminUser:
        return self._call("POST", f"/api/v1/admin/users/{user_id}/suspend", AdminUser)

    def unsuspend_user(self, user_id: str) -> AdminUser:
        return self._call("POST", f"/api/v1/admin/users/{user_id}/unsuspend", AdminUser)

    def set_role(self, user_id: str, role: str) -> AdminUser:
        return self._call("POST", f"/api/v1/admin/users/{user_id}/role", AdminUser, json={"role": role})

    def suspend_name(self, name_id: str) -> Nip05Name:
        return self._call("POST", f"/api/v1/admin/nip05/{name_id}/suspend", Nip05Name)

    def audit_log(self, **filters: str) -> tuple[list[AuditEntry], str | None]:
        """Filters: actor (a user id), action, since, until (RFC 3339), cursor."""
        page = self._call("GET", "/api/v1/admin/audit-log", Page, params=filters)
        return [msgspec.json.decode(item, type=AuditEntry) for item in page.items], page.next_cursor

    # The one request path

    def _items(self, path: str, kind: type[T]) -> list[T]:
        return msgspec.convert(self._call("GET", path, _Items).items, list[kind])  # type: ignore[valid-type]

    def _call(self, method: str, path: str, kind: type[T] | None, **options: Any) -> T:
        body = b""
        if "json" in options:
            body = msgspec.json.encode(options.pop("json"))
            options["content"] = body
            options["headers"] = {**options.get("headers", {}), "Content-Type": "application/json"}
        request = self._http.build_request(method, path, **options)
        if self._auth is not None:
            how, credential = self._auth
            if how == "bearer":
                request.headers["Authorization"] = f"Bearer {credential}"
            elif how == "api_key":
                request.headers["X-API-Key"] = credential
            else:
                url = self.public_url + request.url.raw_path.decode("ascii")
                request.headers["Authorization"] = credential.http_authorization(url, method, body)
        response = self._http.send(request)
        if response.status_code >= 400:
            try:
                problem = response.json()
            except ValueError:
                problem = {}
            error = RateLimited if response.status_code == 429 else ApiError
            raise error(
                response.status_code, problem if isinstance(problem, dict) else {}, dict(response.headers)
            )
        if kind is None:
            return None  # type: ignore[return-value]
        return msgspec.json.decode(response.content, type=kind)
