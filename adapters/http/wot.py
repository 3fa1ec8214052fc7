"""Web of Trust endpoints: scores computed from the relays, cached, never stored."""

from datetime import datetime
from typing import Annotated

import msgspec
from litestar import Controller, get, post
from litestar.params import JSONBody, SkipValidation

from adapters.http.fields import PubkeyParameter, PubkeyText
from adapters.http.responses import JSON_BODY, problem_responses
from application.wot.compute_score import MAX_BATCH, ComputeWotFigures, ComputeWotFiguresBatch, ServedScore
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


class WotBatchRequest(msgspec.Struct):
    pubkeys: Annotated[
        list[PubkeyText],
        msgspec.Meta(max_length=MAX_BATCH, description=f"at most {MAX_BATCH}"),
    ]


class WotBatchResponse(msgspec.Struct):
    items: list[WotFiguresResponse]


class WotController(Controller):
    path = "/api/v1/wot"
    tags = ["web of trust"]

    @get("/{pubkey:str}", **problem_responses(422, 429, 503))
    async def score(
        self,
        pubkey: PubkeyParameter,
        compute_wot_score: SkipValidation[ComputeWotFigures],
    ) -> WotFiguresResponse:
        """Web of Trust figures of one pubkey (64-char hex or npub)."""
        return WotFiguresResponse.of(await compute_wot_score(pubkey))

    @post("/batch", status_code=200, **problem_responses(*JSON_BODY, 429, 503))
    async def batch(
        self,
        data: JSONBody[WotBatchRequest],
        compute_wot_scores: SkipValidation[ComputeWotFiguresBatch],
    ) -> WotBatchResponse:
        """Web of Trust figures of up to 100 pubkeys, in the order given."""
        return WotBatchResponse(
            items=[WotFiguresResponse.of(served) for served in await compute_wot_scores(data.pubkeys)]
        )
