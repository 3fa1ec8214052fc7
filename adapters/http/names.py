"""NIP-05 names and custom domains of the signed-in user."""

from datetime import datetime
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Request, delete, get, patch, post
from litestar.di import NamedDependency
from litestar.params import Body, FromPath, FromQuery, JSONBody, SkipValidation
from litestar.status_codes import HTTP_204_NO_CONTENT

from adapters.http.client_ip import origin_of
from adapters.http.fields import (
    CursorParameter,
    DomainText,
    Limit,
    PubkeyField,
    decode_cursor,
    is_pubkey_text,
)
from adapters.http.principal import actor_of, requires_scope
from adapters.http.responses import JSON_BODY, problem_responses
from application.custom_domains.manage_custom_domains import (
    AddDomain,
    ListDomains,
    RemoveDomain,
    VerifyDomain,
)
from application.names.manage_names import (
    CheckNameAvailability,
    ListNames,
    RegisterName,
    ReleaseName,
    UpdateName,
)
from application.names.transfers import AcceptOffer, CancelOffer, ListOffers, OfferName
from domain.auth.principal import Principal
from domain.names.custom_domains import MAX_DOMAIN_LENGTH, CustomDomain
from domain.names.nip05 import (
    MAX_NAME_LENGTH,
    MAX_RELAY_URL_LENGTH,
    MAX_RELAYS,
    NAME_PATTERN,
    RELAY_URL_PATTERN,
    SERVING_DOMAIN_PATTERN,
    Nip05,
)
from domain.names.transfers import TransferOffer
from domain.nostr.nip19 import encode_npub

RelayUrl = Annotated[
    str,
    msgspec.Meta(max_length=MAX_RELAY_URL_LENGTH, pattern=RELAY_URL_PATTERN),
    Body(max_length=MAX_RELAY_URL_LENGTH, pattern=RELAY_URL_PATTERN, description="a ws:// or wss:// URL"),
]
RelayList = Annotated[list[RelayUrl], msgspec.Meta(max_length=MAX_RELAYS, description="ws:// or wss:// URLs")]


class RegisterNameRequest(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[
        str,
        msgspec.Meta(
            min_length=1,
            max_length=MAX_NAME_LENGTH,
            pattern=NAME_PATTERN,
            description="a-z, 0-9, '-', '_' and '.'; lowercased",
        ),
    ]
    domain: (
        Annotated[
            str,
            msgspec.Meta(
                max_length=MAX_DOMAIN_LENGTH,
                pattern=SERVING_DOMAIN_PATTERN,
                description="the service's domain (the default) or a verified domain of yours",
            ),
        ]
        | None
    ) = None
    relays: RelayList = []


class UpdateNameRequest(msgspec.Struct, forbid_unknown_fields=True):
    relays: RelayList | None = None
    # Literal, not bool: a request's 0 or "true" is refused rather than read as a boolean.
    locked: Annotated[
        Literal[True, False] | None, msgspec.Meta(description="true refuses transfer offers")
    ] = None


class OfferRequest(msgspec.Struct, forbid_unknown_fields=True):
    # The pattern and an npub's checksum are checked here, so the schema keeps the field's format.
    to_pubkey: PubkeyField

    def __post_init__(self) -> None:
        if not is_pubkey_text(self.to_pubkey):
            raise ValueError("expected 64 hexadecimal characters or an npub")


class OfferResponse(msgspec.Struct):
    id: UUID
    name: str
    domain: str
    to_pubkey: str
    to_npub: str
    created_at: datetime
    expires_at: datetime
    direction: Annotated[str, msgspec.Meta(description="'made' by you, or 'received' by your pubkey")]

    @classmethod
    def of(cls, offer: TransferOffer, direction: str) -> "OfferResponse":
        return cls(
            id=offer.id,
            name=offer.name,
            domain=offer.domain,
            to_pubkey=offer.to_pubkey,
            to_npub=encode_npub(offer.to_pubkey),
            created_at=offer.created_at,
            expires_at=offer.expires_at,
            direction=direction,
        )


class OfferList(msgspec.Struct):
    items: list[OfferResponse]
    next_cursor: str | None


class NameResponse(msgspec.Struct):
    id: UUID
    name: str
    domain: str
    identifier: str
    pubkey: str
    relays: list[str]
    status: str
    expires_at: datetime | None
    locked: bool

    @classmethod
    def of(cls, record: Nip05) -> "NameResponse":
        return cls(
            id=record.id,
            name=record.name,
            domain=record.domain,
            identifier=record.identifier,
            pubkey=record.pubkey,
            relays=list(record.relays),
            status=record.status.value,
            expires_at=record.expires_at,
            locked=record.locked,
        )


class NameList(msgspec.Struct):
    items: list[NameResponse]


class AvailabilityResponse(msgspec.Struct):
    name: str
    domain: str
    available: bool
    reason: str | None


class AddDomainRequest(msgspec.Struct, forbid_unknown_fields=True):
    domain: DomainText


class Verification(msgspec.Struct):
    type: str
    name: str
    value: str


class DomainResponse(msgspec.Struct):
    id: UUID
    domain: str
    status: str
    verification: Verification
    verified_at: datetime | None
    last_checked_at: datetime | None

    @classmethod
    def of(cls, record: CustomDomain) -> "DomainResponse":
        return cls(
            id=record.id,
            domain=record.domain,
            status=record.status.value,
            verification=Verification(type="TXT", name=record.txt_record_name, value=record.txt_record_value),
            verified_at=record.verified_at,
            last_checked_at=record.last_checked_at,
        )


class DomainList(msgspec.Struct):
    items: list[DomainResponse]


class VerifyResponse(msgspec.Struct):
    status: str
    checked_at: datetime
    detail: str


class NamesController(Controller):
    path = "/api/v1/nip05"
    tags = ["nip-05 names"]

    @get("/availability", **problem_responses(401, 422, 503))
    async def availability(
        self,
        name: FromQuery[str],
        maybe_principal: NamedDependency[Principal | None],
        check_name_availability: NamedDependency[SkipValidation[CheckNameAvailability]],
        domain: FromQuery[str | None] = None,
    ) -> AvailabilityResponse:
        """Whether name@domain (the service's domain by default) can be registered now, and why not."""
        user_id = maybe_principal.user_id if maybe_principal else None
        found = await check_name_availability(user_id, name, domain)
        return AvailabilityResponse(
            name=found.name, domain=found.domain, available=found.available, reason=found.reason
        )

    @post("/", **problem_responses(*JSON_BODY, 401, 403, 409, 503))
    async def register(
        self,
        data: JSONBody[RegisterNameRequest],
        principal: NamedDependency[Principal],
        register_name: NamedDependency[SkipValidation[RegisterName]],
    ) -> NameResponse:
        """Registers a name for the signed-in user's pubkey, active at once.

        403 `Quota exceeded` when the user already holds as many names (released ones excepted) as
        their plan allows; the `detail` names the plan and its quota.
        """
        return NameResponse.of(await register_name(principal.user_id, data.name, data.domain, data.relays))

    @get("/", opt=requires_scope("nip05:read"), **problem_responses(401, 403, 503))
    async def mine(
        self, principal: NamedDependency[Principal], list_names: NamedDependency[SkipValidation[ListNames]]
    ) -> NameList:
        """The signed-in user's names."""
        return NameList(items=[NameResponse.of(record) for record in await list_names(principal.user_id)])

    @patch("/{name_id:uuid}", **problem_responses(*JSON_BODY, 401, 403, 404, 503))
    async def update(
        self,
        name_id: FromPath[UUID],
        data: JSONBody[UpdateNameRequest],
        principal: NamedDependency[Principal],
        update_name: NamedDependency[SkipValidation[UpdateName]],
    ) -> NameResponse:
        """Replaces the relays listed for one of the user's names, and locks or unlocks it: a locked
        name refuses transfer offers (locking withdraws the open ones)."""
        return NameResponse.of(await update_name(principal.user_id, name_id, data.relays, data.locked))

    @post("/{name_id:uuid}/offers", status_code=201, **problem_responses(*JSON_BODY, 401, 403, 404, 409, 503))
    async def offer(
        self,
        request: Request[Any, Any, Any],
        name_id: FromPath[UUID],
        data: JSONBody[OfferRequest],
        principal: NamedDependency[Principal],
        offer_name: NamedDependency[SkipValidation[OfferName]],
    ) -> OfferResponse:
        """Offers one of your names to another pubkey, open for seven days; the receiver takes it
        with `POST /api/v1/nip05/offers/{offer_id}/accept`. 409 when the name is locked, not active,
        on a custom domain, or has ten open offers."""
        offer = await offer_name(actor_of(request, principal), name_id, data.to_pubkey)
        return OfferResponse.of(offer, "made")

    @get("/offers", **problem_responses(401, 403, 422, 503))
    async def offers(
        self,
        principal: NamedDependency[Principal],
        list_offers: NamedDependency[SkipValidation[ListOffers]],
        cursor: CursorParameter = None,
        limit: Limit = 50,
    ) -> OfferList:
        """The open transfer offers you made (`direction: "made"`) or that were made to your pubkey
        (`"received"`), oldest first."""
        page = await list_offers(principal.user_id, principal.pubkey, decode_cursor(cursor), limit)
        return OfferList(
            items=[
                OfferResponse.of(offer, "made" if offer.from_user_id == principal.user_id else "received")
                for offer in page.items
            ],
            next_cursor=page.next_cursor.text if page.next_cursor else None,
        )

    @post("/offers/{offer_id:uuid}/accept", status_code=200, **problem_responses(401, 403, 404, 409, 503))
    async def accept(
        self,
        request: Request[Any, Any, Any],
        offer_id: FromPath[UUID],
        principal: NamedDependency[Principal],
        accept_offer: NamedDependency[SkipValidation[AcceptOffer]],
    ) -> NameResponse:
        """Takes a name offered to your pubkey (signed in, or one NIP-98 request by that pubkey): it
        is yours at once, within your plan's names quota. 409 when the offer expired or was taken,
        or the name is locked, has moved, or passes for another account's name."""
        return NameResponse.of(await accept_offer(actor_of(request, principal), offer_id))

    @delete(
        "/offers/{offer_id:uuid}", status_code=HTTP_204_NO_CONTENT, **problem_responses(401, 403, 404, 503)
    )
    async def cancel_offer(
        self,
        request: Request[Any, Any, Any],
        offer_id: FromPath[UUID],
        principal: NamedDependency[Principal],
        cancel_offer: NamedDependency[SkipValidation[CancelOffer]],
    ) -> None:
        """Withdraws an offer you made."""
        await cancel_offer(actor_of(request, principal), offer_id)

    @delete("/{name_id:uuid}", status_code=HTTP_204_NO_CONTENT, **problem_responses(401, 403, 404, 409, 503))
    async def release(
        self,
        name_id: FromPath[UUID],
        principal: NamedDependency[Principal],
        release_name: NamedDependency[SkipValidation[ReleaseName]],
    ) -> None:
        """Releases one of the user's names; others may take it after the cooldown."""
        await release_name(principal.user_id, name_id)


class DomainsController(Controller):
    path = "/api/v1/domains"
    tags = ["nip-05 names"]

    @post("/", **problem_responses(*JSON_BODY, 401, 403, 409, 503))
    async def add(
        self,
        data: JSONBody[AddDomainRequest],
        principal: NamedDependency[Principal],
        add_domain: NamedDependency[SkipValidation[AddDomain]],
    ) -> DomainResponse:
        """Claims a domain; publish the TXT record named in `verification`, then verify.

        403 `Quota exceeded` when the user already has as many custom domains (verified or not) as
        their plan allows; the `detail` names the plan and its quota.
        """
        return DomainResponse.of(await add_domain(principal.user_id, data.domain))

    @post("/{domain_id:uuid}/verify", status_code=200, **problem_responses(401, 403, 404, 409, 503))
    async def verify(
        self,
        request: Request[Any, Any, Any],
        domain_id: FromPath[UUID],
        principal: NamedDependency[Principal],
        verify_domain: NamedDependency[SkipValidation[VerifyDomain]],
    ) -> VerifyResponse:
        """Looks the TXT record up now. Whoever proves the domain with their own record holds it at
        once: an earlier holder's names on it end."""
        outcome = await verify_domain(principal.user_id, domain_id, origin_of(request))
        status = "verified" if outcome.domain.is_serving else outcome.domain.status.value
        return VerifyResponse(status=status, checked_at=outcome.checked_at, detail=outcome.detail)

    @get("/", **problem_responses(401, 403, 503))
    async def mine(
        self,
        principal: NamedDependency[Principal],
        list_domains: NamedDependency[SkipValidation[ListDomains]],
    ) -> DomainList:
        """The signed-in user's domains."""
        return DomainList(
            items=[DomainResponse.of(record) for record in await list_domains(principal.user_id)]
        )

    @delete("/{domain_id:uuid}", status_code=HTTP_204_NO_CONTENT, **problem_responses(401, 403, 404, 503))
    async def remove(
        self,
        request: Request[Any, Any, Any],
        domain_id: FromPath[UUID],
        principal: NamedDependency[Principal],
        remove_domain: NamedDependency[SkipValidation[RemoveDomain]],
    ) -> None:
        """Removes one of the user's domains; the user's names on it end."""
        await remove_domain(principal.user_id, domain_id, origin_of(request))
