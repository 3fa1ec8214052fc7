"""Web of Trust endpoints: scores computed from the relays, cached, never stored."""

from datetime import datetime
from typing import Annotated, Self

import msgspec
from litestar import Controller, Response, get, post
from litestar.datastructures import ResponseHeader
from litestar.di import NamedDependency
from litestar.params import JSONBody, SkipValidation

from adapters.http.fields import PubkeyParameter, PubkeyText
from adapters.http.principal import requires_scope
from adapters.http.responses import JSON_BODY, problem_responses
from application.wot.compute_figures import (
    MAX_BATCH,
    ComputeWotFigures,
    ComputeWotFiguresBatch,
    ServedFigures,
    UnavailableFigures,
)
from domain.auth.principal import Principal
from domain.nostr.nip19 import encode_npub


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
        maybe_principal: NamedDependency[Principal | None],
    ) -> WotFiguresResponse:
        """Web of Trust figures of one pubkey (64-char hex or npub)."""
        return WotFiguresResponse.of(await compute_wot_figures(pubkey))

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
        maybe_principal: NamedDependency[Principal | None],
    ) -> Response[WotBatchResponse]:
        """Web of Trust figures of up to 100 pubkeys, in the order given, within one request deadline.

        Each item is either figures with `status: "ok"` (`stale: true` when earlier figures are
        served because the relays did not answer in time) or, when there are none to serve in
        time, `{status: "unavailable", pubkey, npub, detail, retry_after}`; the answer then carries
        `Retry-After`.
        """
        items: list[WotBatchItem | WotUnavailableItem] = []
        retry_after = 0
        for item in await compute_wot_figures_batch(data.pubkeys):
            if isinstance(item, UnavailableFigures):
                items.append(WotUnavailableItem.of(item))
                retry_after = max(retry_after, item.retry_after)
            else:
                items.append(WotBatchItem.of(item))
        headers = {"Retry-After": str(retry_after)} if retry_after else None
        return Response(WotBatchResponse(items=items), headers=headers)
