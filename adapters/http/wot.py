"""Web of Trust endpoints: scores computed from the relays, cached, never stored."""

from datetime import datetime
from typing import Annotated, Self

import msgspec
from litestar import Controller, Response, get, post
from litestar.datastructures import ResponseHeader
from litestar.di import NamedDependency
from litestar.params import JSONBody, Parameter, SkipValidation

from adapters.http.fields import PUBKEY_DESCRIPTION, PUBKEY_FORMAT, PubkeyParameter, PubkeyText
from adapters.http.principal import requires_scope
from adapters.http.responses import JSON_BODY, problem_responses
from adapters.http.wot_assertion import AssertionResponse, ProviderResponse
from adapters.http.wot_explain import ExplanationResponse
from application.wot.compute_figures import (
    MAX_BATCH,
    ComputeWotFigures,
    ComputeWotFiguresBatch,
    ServedFigures,
    UnavailableFigures,
)
from application.wot.explain_figures import ExplainFigures
from application.wot.publish_assertion import DescribeProvider, PublishAssertion
from application.wot.viewer_figures import ComputeViewerFigures, ComputeViewerFiguresBatch
from domain.auth.principal import Principal
from domain.nostr.nip19 import PUBKEY_TEXT_PATTERN, encode_npub
from domain.shared.errors import Forbidden

# The optional `?viewer=`: depth and trust as this pubkey sees them.
ViewerParameter = Annotated[
    str | None,
    Parameter(
        pattern=PUBKEY_TEXT_PATTERN,
        description=f"{PUBKEY_DESCRIPTION}: depth and trust with this pubkey as the only seed",
        schema_extra={"format": PUBKEY_FORMAT},
    ),
]


class WotFiguresResponse(msgspec.Struct):
    pubkey: str
    npub: str
    followers_count: int
    following_count: int
    wot_depth: int | None
    trust_score: float
    is_likely_bot: bool
    bot_reasons: list[str]
    account_age_score: float
    activity_score: float
    discount_percent: int
    computed_at: datetime
    muted_by_trusted: int
    reported_by_trusted: int
    stale: bool

    @classmethod
    def of(cls, served: ServedFigures) -> Self:
        figures = served.figures
        return cls(
            pubkey=figures.pubkey,
            npub=encode_npub(figures.pubkey),
            followers_count=figures.followers_count,
            following_count=figures.following_count,
            wot_depth=figures.wot_depth,
            trust_score=figures.trust_score,
            is_likely_bot=figures.is_likely_bot,
            bot_reasons=list(figures.bot_reasons),
            account_age_score=figures.account_age_score,
            activity_score=figures.activity_score,
            discount_percent=figures.discount_percent,
            computed_at=figures.computed_at,
            muted_by_trusted=figures.muted_by_trusted,
            reported_by_trusted=figures.reported_by_trusted,
            stale=served.stale,
        )


class WotBatchItem(WotFiguresResponse, tag_field="status", tag="ok"):
    """A batch item with figures (`stale` when earlier ones are served): `status` is "ok"."""


class WotUnavailableItem(msgspec.Struct, tag_field="status", tag="unavailable"):
    """A batch item with no figures to serve in time: `status` is "unavailable"; ask again after
    `retry_after` seconds."""

    pubkey: str
    npub: str
    detail: str
    retry_after: int

    @classmethod
    def of(cls, item: UnavailableFigures) -> "WotUnavailableItem":
        npub = encode_npub(item.pubkey)
        return cls(pubkey=item.pubkey, npub=npub, detail=item.detail, retry_after=item.retry_after)


class WotBatchRequest(msgspec.Struct, forbid_unknown_fields=True):
    pubkeys: Annotated[
        list[PubkeyText],
        msgspec.Meta(max_length=MAX_BATCH, description=f"at most {MAX_BATCH}"),
    ]
    # Depth and trust as this pubkey sees them (the viewer as the only seed).
    viewer: PubkeyText | None = None


class WotBatchResponse(msgspec.Struct):
    items: list[WotBatchItem | WotUnavailableItem]


BATCH_RETRY_AFTER = ResponseHeader(
    name="Retry-After",
    description="Seconds after which to ask again for the items that came back unavailable; "
    "present only when some did.",
    required=False,
    documentation_only=True,
)


class WotController(Controller):
    path = "/api/v1/wot"
    tags = ["web of trust"]

    # Anonymous reads are allowed (at the anonymous rate); an API key must hold wot:read.
    @get("/{pubkey:str}", opt=requires_scope("wot:read"), **problem_responses(401, 403, 422, 429, 503))
    async def score(
        self,
        pubkey: PubkeyParameter,
        compute_wot_figures: NamedDependency[SkipValidation[ComputeWotFigures]],
        compute_viewer_figures: NamedDependency[SkipValidation[ComputeViewerFigures]],
        maybe_principal: NamedDependency[Principal | None],
        viewer: ViewerParameter = None,
    ) -> WotFiguresResponse:
        """Web of Trust figures of one pubkey (64-char hex or npub).

        With `viewer`, depth and trust are measured with the viewer as the only seed.
        """
        if viewer is not None:
            return WotFiguresResponse.of(await compute_viewer_figures(pubkey, viewer))
        return WotFiguresResponse.of(await compute_wot_figures(pubkey))

    @get("/provider", opt=requires_scope("wot:read"), **problem_responses(401, 403, 422, 429))
    async def provider(
        self,
        describe_wot_provider: NamedDependency[SkipValidation[DescribeProvider]],
        maybe_principal: NamedDependency[Principal | None],
        viewer: ViewerParameter = None,
    ) -> ProviderResponse:
        """This service as a NIP-85 rank provider: the tag a user adds to their kind 10040. With
        `viewer`, the provider of the ranks seen from that viewer (a key of its own)."""
        return ProviderResponse.of(describe_wot_provider(viewer))

    @post(
        "/{pubkey:str}/assertion",
        status_code=202,
        opt=requires_scope("wot:publish"),
        **problem_responses(401, 403, 422, 429, 503),
    )
    async def assertion(
        self,
        pubkey: PubkeyParameter,
        publish_wot_assertion: NamedDependency[SkipValidation[PublishAssertion]],
        describe_wot_provider: NamedDependency[SkipValidation[DescribeProvider]],
        principal: NamedDependency[Principal],
        viewer: ViewerParameter = None,
    ) -> AssertionResponse:
        """Publishes the pubkey's NIP-85 assertion (kind 30382) to the relays, signed by the service
        key; nothing is stored. An assertion the relays hold already is not published again
        (`published: false`). With `viewer`, the rank is the viewer's perspective, signed by that
        viewer's provider key (`GET /api/v1/wot/provider?viewer=`). For API keys with
        `wot:publish`, and admins."""
        if not (principal.is_machine or principal.is_admin):
            raise Forbidden("publishing assertions needs an API key with wot:publish or the admin role")
        done = await publish_wot_assertion(pubkey, viewer)
        return AssertionResponse.of(done.event.id, describe_wot_provider.relays, done.published)

    @get(
        "/{pubkey:str}/explain", opt=requires_scope("wot:read"), **problem_responses(401, 403, 422, 429, 503)
    )
    async def explain(
        self,
        pubkey: PubkeyParameter,
        explain_wot_figures: NamedDependency[SkipValidation[ExplainFigures]],
        maybe_principal: NamedDependency[Principal | None],
        viewer: ViewerParameter = None,
    ) -> ExplanationResponse:
        """Why a pubkey has its figures: up to three shortest follow paths from a seed (from the viewer,
        when given), each hop's current contact list holding the next; its ten most trusted
        followers; every bot reason with the value measured, its threshold and whether it holds.
        """
        return ExplanationResponse.of(await explain_wot_figures(pubkey, viewer))

    @post(
        "/batch",
        status_code=200,
        response_headers=[BATCH_RETRY_AFTER],
        opt=requires_scope("wot:read"),
        **problem_responses(*JSON_BODY, 401, 403, 429, 503),
    )
    async def batch(
        self,
        data: JSONBody[WotBatchRequest],
        compute_wot_figures_batch: NamedDependency[SkipValidation[ComputeWotFiguresBatch]],
        compute_viewer_figures_batch: NamedDependency[SkipValidation[ComputeViewerFiguresBatch]],
        maybe_principal: NamedDependency[Principal | None],
    ) -> Response[WotBatchResponse]:
        """Web of Trust figures of up to 100 pubkeys, in the order given, within one request deadline.

        Each item is either figures with `status: "ok"` (`stale: true` when earlier figures are
        served because the relays did not answer in time) or, when there are none to serve in
        time, `{status: "unavailable", pubkey, npub, detail, retry_after}`; the answer then carries
        `Retry-After`. With `viewer`, depth and trust are measured with the viewer as the only seed.
        """
        items: list[WotBatchItem | WotUnavailableItem] = []
        retry_after = 0
        if data.viewer is not None:
            answered = await compute_viewer_figures_batch(data.pubkeys, data.viewer)
        else:
            answered = await compute_wot_figures_batch(data.pubkeys)
        for item in answered:
            if isinstance(item, UnavailableFigures):
                items.append(WotUnavailableItem.of(item))
                retry_after = max(retry_after, item.retry_after)
            else:
                items.append(WotBatchItem.of(item))
        headers = {"Retry-After": str(retry_after)} if retry_after else None
        return Response(WotBatchResponse(items=items), headers=headers)
