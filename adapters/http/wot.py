"""Web of Trust endpoints: scores computed from the relays, cached, never stored."""

from datetime import datetime
from typing import Annotated, Literal

import msgspec
from litestar import Controller, Response, get, post
from litestar.datastructures import ResponseHeader
from litestar.params import FromPath, JSONBody, SkipValidation

from application.wot.compute_figures import (
    MAX_BATCH,
    ComputeWotFigures,
    ComputeWotFiguresBatch,
    ServedScore,
    UnavailableScore,
)
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
    def of(cls, served: ServedScore) -> "WotFiguresResponse":
        score = served.score
        return cls(
            pubkey=score.pubkey,
            npub=encode_npub(score.pubkey),
            followers_count=score.followers_count,
            following_count=score.following_count,
            wot_depth=score.wot_depth,
            trust_score=score.trust_score,
            is_likely_bot=score.is_likely_bot,
            bot_reasons=list(score.bot_reasons),
            account_age_score=score.account_age_score,
            activity_score=score.activity_score,
            discount_percent=score.discount_percent,
            computed_at=score.computed_at,
            stale=served.stale,
        )


class WotUnavailableItem(msgspec.Struct):
    """A batch item with no figures to serve yet: ask again after `retry_after` seconds."""

    pubkey: str
    npub: str
    status: Literal["unavailable"]
    detail: str
    retry_after: int

    @classmethod
    def of(cls, item: UnavailableScore) -> "WotUnavailableItem":
        return cls(
            pubkey=item.pubkey,
            npub=encode_npub(item.pubkey),
            status="unavailable",
            detail=item.detail,
            retry_after=item.retry_after,
        )


class WotBatchRequest(msgspec.Struct):
    pubkeys: Annotated[list[str], msgspec.Meta(max_length=MAX_BATCH, description="hex or npub, at most 100")]


class WotBatchResponse(msgspec.Struct):
    items: list[WotFiguresResponse | WotUnavailableItem]


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

    @get("/{pubkey:str}")
    async def score(
        self,
        pubkey: FromPath[str],
        compute_wot_figures: SkipValidation[ComputeWotFigures],
    ) -> WotFiguresResponse:
        """Web of Trust figures of one pubkey (64-char hex or npub)."""
        return WotFiguresResponse.of(await compute_wot_figures(pubkey))

    @post("/batch", status_code=200, response_headers=[BATCH_RETRY_AFTER])
    async def batch(
        self,
        data: JSONBody[WotBatchRequest],
        compute_wot_figures_batch: SkipValidation[ComputeWotFiguresBatch],
    ) -> Response[WotBatchResponse]:
        """Web of Trust figures of up to 100 pubkeys, in the order given, within one request deadline.

        Each item is either figures (`stale: true` when earlier figures are served because the
        relays did not answer in time) or, when there are none to serve, `{pubkey, npub,
        status: "unavailable", detail, retry_after}`; the answer then carries `Retry-After`.
        """
        items: list[WotFiguresResponse | WotUnavailableItem] = []
        retry_after = 0
        for item in await compute_wot_figures_batch(data.pubkeys):
            if isinstance(item, UnavailableScore):
                items.append(WotUnavailableItem.of(item))
                retry_after = max(retry_after, item.retry_after)
            else:
                items.append(WotFiguresResponse.of(item))
        headers = {"Retry-After": str(retry_after)} if retry_after else None
        return Response(WotBatchResponse(items=items), headers=headers)
