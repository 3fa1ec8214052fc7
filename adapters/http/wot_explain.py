"""`GET /api/v1/wot/{pubkey}/explain`: why a pubkey has its figures."""

import msgspec

from domain.nostr.nip19 import encode_npub
from domain.wot.explanation import Explanation


class TrustedFollowerResponse(msgspec.Struct):
    pubkey: str
    npub: str
    trust_score: float


class ReasonCheckResponse(msgspec.Struct):
    reason: str
    value: float
    threshold: float
    holds: bool


class ExplanationResponse(msgspec.Struct):
    pubkey: str
    npub: str
    paths: list[list[str]]
    top_followers: list[TrustedFollowerResponse]
    bot_reasons: list[ReasonCheckResponse]

    @classmethod
    def of(cls, explanation: Explanation) -> "ExplanationResponse":
        return cls(
            pubkey=explanation.pubkey,
            npub=encode_npub(explanation.pubkey),
            paths=explanation.paths,
            top_followers=[
                TrustedFollowerResponse(
                    pubkey=f.pubkey, npub=encode_npub(f.pubkey), trust_score=f.trust_score
                )
                for f in explanation.top_followers
            ],
            bot_reasons=[
                ReasonCheckResponse(reason=c.reason, value=c.value, threshold=c.threshold, holds=c.holds)
                for c in explanation.bot_reasons
            ],
        )
