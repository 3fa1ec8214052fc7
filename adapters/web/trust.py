"""The trust pages: look up a pubkey or npub, and its Web of Trust figures read in plain words with
the reasons behind them (ComputeWotFigures and ExplainFigures, as GET /api/v1/wot/{pubkey} and
/explain answer). Relays that cannot answer give a page saying so (503 with Retry-After).

To a signed-in person the page adds depth and trust "From your view", with them as the only seed
(ComputeViewerFigures, as `?viewer=` answers); when their view cannot be had in time, it says so."""

import asyncio
from dataclasses import dataclass
from typing import Annotated, Any

from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import FromPath, Parameter, SkipValidation
from litestar.response import Redirect, Template

from adapters.web.amounts import instant_text
from adapters.web.pages import page
from adapters.web.readings import Figure, figures_read, reason_text, summary, viewer_figures_read
from application.wot.compute_figures import ComputeWotFigures, ServedFigures
from application.wot.explain_figures import ExplainFigures
from application.wot.viewer_figures import ComputeViewerFigures
from domain.auth.principal import Principal
from domain.nostr.nip19 import encode_npub, parse_pubkey
from domain.shared.errors import DependencyUnavailable, InvalidInput
from domain.wot.explanation import Explanation
from domain.wot.figures import WotFigures

# The figures pages answer what GET /api/v1/wot/{pubkey} answers to anyone: the rate limiter charges
# them as anonymous API requests.
TRUST_FIGURES = "/trust/"
# An npub is 63 characters, an nprofile with a few relays some hundreds.
LookupQuery = Annotated[str | None, Parameter(max_length=1000)]


@dataclass(frozen=True)
class Hop:
    npub: str
    short: str


def hop(pubkey: str) -> Hop:
    npub = encode_npub(pubkey)
    return Hop(npub=npub, short=f"{npub[:12]}…{npub[-6:]}")


@dataclass(frozen=True)
class Why:
    """What the explanation says, in words; empty but for the bot reasons' names without one."""

    explained: bool
    reasons: list[str]
    checks: list[tuple[str, bool]]
    paths: list[list[Hop]]
    followers: list[tuple[Hop, str]]


def why(figures: WotFigures, explanation: Explanation | None) -> Why:
    if explanation is None:
        reasons = [reason.replace("_", " ") for reason in figures.bot_reasons]
        return Why(explained=False, reasons=reasons, checks=[], paths=[], followers=[])
    return Why(
        explained=True,
        reasons=[reason_text(check) for check in explanation.bot_reasons if check.holds],
        checks=[(reason_text(check), check.holds) for check in explanation.bot_reasons],
        paths=[[hop(pubkey) for pubkey in path] for path in explanation.paths],
        followers=[(hop(f.pubkey), f"{f.trust_score:.2f}") for f in explanation.top_followers],
    )


class TrustPages(Controller):
    path = "/trust"

    @get("/")
    async def lookup(
        self,
        request: Request[Any, Any, Any],
        browser_principal: NamedDependency[Principal | None],
        pubkey: LookupQuery = None,
    ) -> Template | Redirect:
        """The look-up form; a pubkey sent with it leads to its figures."""
        if pubkey is None or not pubkey.strip():
            return page(request, "trust.html", title="Trust", principal=browser_principal, typed="")
        try:
            found = parse_pubkey(pubkey)
        except InvalidInput as refused:
            return page(
                request,
                "trust.html",
                title="Trust",
                principal=browser_principal,
                status_code=422,
                typed=pubkey[:200],
                error=f"{str(refused).capitalize()}: paste a 64-character hex pubkey or an npub.",
            )
        return Redirect(f"/trust/{encode_npub(found)}", status_code=303)

    @get("/{key:str}")
    async def figures(
        self,
        request: Request[Any, Any, Any],
        key: FromPath[str],
        browser_principal: NamedDependency[Principal | None],
        compute_wot_figures: NamedDependency[SkipValidation[ComputeWotFigures]],
        explain_wot_figures: NamedDependency[SkipValidation[ExplainFigures]],
        compute_viewer_figures: NamedDependency[SkipValidation[ComputeViewerFigures]],
    ) -> Template | Redirect:
        try:
            pubkey = parse_pubkey(key[:1000])
        except InvalidInput as refused:
            return page(
                request,
                "trust.html",
                title="Trust",
                principal=browser_principal,
                status_code=404,
                typed=key[:200],
                error=f"{str(refused).capitalize()}: paste a 64-character hex pubkey or an npub.",
            )
        npub = encode_npub(pubkey)
        if key != npub:
            return Redirect(f"/trust/{npub}", status_code=301)
        served, explained, seen = await asyncio.gather(
            compute_wot_figures(pubkey),
            explain_wot_figures(pubkey),
            _your_view(compute_viewer_figures, pubkey, browser_principal),
            return_exceptions=True,
        )
        if isinstance(served, DependencyUnavailable):
            answer = page(
                request,
                "trust_figures.html",
                title=f"Trust of {npub}",
                principal=browser_principal,
                status_code=503,
                npub=npub,
                outage=str(served),
                retry_after=served.retry_after,
            )
            answer.headers["Retry-After"] = str(served.retry_after)
            return answer
        for failed in (served, explained, seen):
            if isinstance(failed, BaseException) and not isinstance(failed, DependencyUnavailable):
                raise failed
        assert isinstance(served, ServedFigures)
        # Figures served (stale ones too) without their explanation when the relays could not give it.
        explanation = explained if isinstance(explained, Explanation) else None
        figures = served.figures
        return page(
            request,
            "trust_figures.html",
            title=f"Trust of {npub}",
            principal=browser_principal,
            npub=npub,
            summary=summary(figures),
            figures=figures_read(figures, explanation),
            why=why(figures, explanation),
            is_likely_bot=figures.is_likely_bot,
            stale=served.stale,
            computed=instant_text(figures.computed_at),
            signed_in_view=browser_principal is not None,
            your_view=seen if isinstance(seen, list) else None,
        )


async def _your_view(
    compute_viewer_figures: ComputeViewerFigures, pubkey: str, principal: Principal | None
) -> list[Figure] | None:
    """Depth and trust as the signed-in person sees them; None for a stranger."""
    if principal is None:
        return None
    return viewer_figures_read((await compute_viewer_figures(pubkey, principal.pubkey)).figures)
