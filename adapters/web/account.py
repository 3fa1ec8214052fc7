"""The signed-in pages: the account (names, plan) and signing out.

A form that the use case refuses (a taken name, a quota, a malformed relay) shows the account
again with the reason and the status the API would answer; a form that succeeds redirects (303).
"""

from dataclasses import dataclass
from typing import Annotated, Any, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, SkipValidation
from litestar.response import Redirect, Template

from adapters.http.client_ip import origin_of
from adapters.http.principal import actor_of
from adapters.http.problems import status_of
from adapters.web.amounts import instant_text
from adapters.web.forms import form_of, lines
from adapters.web.pages import page
from adapters.web.session import BrowserCookies
from application.auth.me import GetMe, SetReminders
from application.auth.own_sessions import SignOut
from application.billing.subscribe import GetCurrentSubscription
from application.custom_domains.manage_custom_domains import ListDomains
from application.names.manage_names import ListNames, RegisterName, ReleaseName, UpdateName
from application.names.nostr_json import NostrJsonDirectory
from application.names.transfers import AcceptOffer, CancelOffer, ListOffers, OfferName
from domain.auth.principal import Principal
from domain.billing.plans import Plan
from domain.names.custom_domains import MAX_DOMAIN_LENGTH
from domain.names.nip05 import MAX_NAME_LENGTH, MAX_RELAY_URL_LENGTH, MAX_RELAYS, Nip05
from domain.names.transfers import TransferOffer
from domain.nostr.nip19 import encode_npub
from domain.shared.errors import Conflict, DomainError, Forbidden, InvalidInput, InvalidTransition, NotFound

# What a person can put right on the page; other errors (the database away) answer as the API does.
REFUSALS = (InvalidInput, Conflict, Forbidden, NotFound, InvalidTransition)
NOTICES = {
    "registered": "The name is yours.",
    "saved": "The relays are saved.",
    "released": "The name is released.",
    "locked": "The name is locked: it refuses transfer offers.",
    "unlocked": "The name is unlocked.",
    "offered": "The offer is made: the receiver accepts it on their account page within seven days.",
    "withdrawn": "The offer is withdrawn.",
    "accepted": "The name is yours.",
    "reminders": "Your reminder setting is saved.",
}
# The offers the page lists in each direction (the oldest first).
OFFERS_SHOWN = 50


class RegisterForm(msgspec.Struct):
    name: Annotated[str, msgspec.Meta(min_length=1, max_length=MAX_NAME_LENGTH * 2)]
    # The service's domain when absent; else one of the user's verified domains.
    domain: Annotated[str, msgspec.Meta(max_length=MAX_DOMAIN_LENGTH)] | None = None


class RelaysForm(msgspec.Struct):
    relays: Annotated[str, msgspec.Meta(max_length=MAX_RELAYS * (MAX_RELAY_URL_LENGTH + 2))] = ""


class LockForm(msgspec.Struct):
    locked: bool


class OfferForm(msgspec.Struct):
    # An npub or 64 hex characters; the use case says which it is not.
    to: Annotated[str, msgspec.Meta(min_length=1, max_length=128)]


class RemindersForm(msgspec.Struct):
    # An unticked checkbox sends nothing.
    reminders: Literal["on"] | None = None


class NameView(msgspec.Struct, frozen=True):
    id: UUID
    identifier: str
    status: str
    relays: str
    served: bool
    locked: bool


class OfferView(msgspec.Struct, frozen=True):
    id: UUID
    identifier: str
    npub: str  # the receiver's
    expires_at: str

    @classmethod
    def of(cls, offer: TransferOffer) -> "OfferView":
        return cls(
            id=offer.id,
            identifier=f"{offer.name}@{offer.domain}",
            npub=encode_npub(offer.to_pubkey),
            expires_at=instant_text(offer.expires_at),
        )


async def _served(directory: NostrJsonDirectory, record: Nip05) -> bool:
    """Whether /.well-known/nostr.json on the name's domain answers the name with its pubkey now."""
    answer = await directory.answer(record.domain, record.name)
    names = msgspec.json.decode(answer.body).get("names", {})
    return bool(names.get(record.name) == record.pubkey)


@dataclass(frozen=True)
class AccountView:
    """Renders the account page of the signed-in user, with a refusal's reason when there is one."""

    request: Request[Any, Any, Any]
    principal: Principal
    list_names: ListNames
    directory: NostrJsonDirectory
    get_current_subscription: GetCurrentSubscription
    plans: tuple[Plan, ...]
    list_domains: ListDomains
    default_domain: str
    list_offers: ListOffers
    get_me: GetMe

    async def __call__(self, *, error: DomainError | None = None, typed: str = "") -> Template:
        names = [
            NameView(
                id=record.id,
                identifier=record.identifier,
                status=record.status.value,
                relays="\n".join(record.relays),
                served=await _served(self.directory, record),
                locked=record.locked,
            )
            for record in await self.list_names(self.principal.user_id)
        ]
        try:
            plan_id = (await self.get_current_subscription(self.principal.user_id)).plan_id
        except NotFound:
            plan_id = next((plan.id for plan in self.plans if plan.is_free), "")
        plan = next((plan.name for plan in self.plans if plan.id == plan_id), plan_id)
        offers = (
            await self.list_offers(self.principal.user_id, self.principal.pubkey, None, OFFERS_SHOWN)
        ).items
        reminders = (await self.get_me(self.principal)).user.reminders
        verified = [
            found.domain for found in await self.list_domains(self.principal.user_id) if found.is_serving
        ]
        return page(
            self.request,
            "account.html",
            title="Your account",
            principal=self.principal,
            status_code=200 if error is None else status_of(error),
            npub=encode_npub(self.principal.pubkey),
            names=names,
            plan=plan,
            notice=NOTICES.get(self.request.query_params.get("done", "")),
            error=str(error) if error is not None else None,
            typed=typed,
            domains=[self.default_domain, *verified] if verified else [],
            offers_made=[
                OfferView.of(offer) for offer in offers if offer.from_user_id == self.principal.user_id
            ],
            offers_received=[
                OfferView.of(offer) for offer in offers if offer.from_user_id != self.principal.user_id
            ],
            reminders=reminders,
        )


async def account_view(
    request: Request[Any, Any, Any],
    web_principal: NamedDependency[Principal],
    list_names: NamedDependency[SkipValidation[ListNames]],
    nostr_json_directory: NamedDependency[SkipValidation[NostrJsonDirectory]],
    get_current_subscription: NamedDependency[SkipValidation[GetCurrentSubscription]],
    billing_plans: NamedDependency[SkipValidation[tuple[Plan, ...]]],
    list_domains: NamedDependency[SkipValidation[ListDomains]],
    default_domain: NamedDependency[str],
    list_offers: NamedDependency[SkipValidation[ListOffers]],
    get_me: NamedDependency[SkipValidation[GetMe]],
) -> AccountView:
    return AccountView(
        request,
        web_principal,
        list_names,
        nostr_json_directory,
        get_current_subscription,
        billing_plans,
        list_domains,
        default_domain,
        list_offers,
        get_me,
    )


class AccountPages(Controller):
    path = "/"

    @get("/account")
    async def account(self, account_view: NamedDependency[SkipValidation[AccountView]]) -> Template:
        return await account_view()

    @post("/account/names", status_code=303)
    async def register(
        self,
        request: Request[Any, Any, Any],
        web_principal: NamedDependency[Principal],
        register_name: NamedDependency[SkipValidation[RegisterName]],
        account_view: NamedDependency[SkipValidation[AccountView]],
        default_domain: NamedDependency[str],
    ) -> Redirect | Template:
        form = RegisterForm(name="-")
        try:
            form = await form_of(request, RegisterForm)
            domain = None if form.domain in (None, "", default_domain) else form.domain
            await register_name(web_principal.user_id, form.name, domain)
        except REFUSALS as refused:
            return await account_view(error=refused, typed=form.name)
        return Redirect("/account?done=registered", status_code=303)

    @post("/account/names/{name_id:uuid}/relays", status_code=303)
    async def save_relays(
        self,
        request: Request[Any, Any, Any],
        name_id: FromPath[UUID],
        web_principal: NamedDependency[Principal],
        update_name: NamedDependency[SkipValidation[UpdateName]],
        account_view: NamedDependency[SkipValidation[AccountView]],
    ) -> Redirect | Template:
        try:
            form = await form_of(request, RelaysForm)
            await update_name(web_principal.user_id, name_id, lines(form.relays))
        except REFUSALS as refused:
            return await account_view(error=refused)
        return Redirect("/account?done=saved", status_code=303)

    @post("/account/names/{name_id:uuid}/release", status_code=303)
    async def release(
        self,
        name_id: FromPath[UUID],
        web_principal: NamedDependency[Principal],
        release_name: NamedDependency[SkipValidation[ReleaseName]],
        account_view: NamedDependency[SkipValidation[AccountView]],
    ) -> Redirect | Template:
        try:
            await release_name(web_principal.user_id, name_id)
        except REFUSALS as refused:
            return await account_view(error=refused)
        return Redirect("/account?done=released", status_code=303)

    @post("/account/names/{name_id:uuid}/lock", status_code=303)
    async def lock(
        self,
        request: Request[Any, Any, Any],
        name_id: FromPath[UUID],
        web_principal: NamedDependency[Principal],
        update_name: NamedDependency[SkipValidation[UpdateName]],
        account_view: NamedDependency[SkipValidation[AccountView]],
    ) -> Redirect | Template:
        try:
            form = await form_of(request, LockForm)
            await update_name(web_principal.user_id, name_id, locked=form.locked)
        except REFUSALS as refused:
            return await account_view(error=refused)
        return Redirect(f"/account?done={'locked' if form.locked else 'unlocked'}", status_code=303)

    @post("/account/names/{name_id:uuid}/offers", status_code=303)
    async def offer(
        self,
        request: Request[Any, Any, Any],
        name_id: FromPath[UUID],
        web_principal: NamedDependency[Principal],
        offer_name: NamedDependency[SkipValidation[OfferName]],
        account_view: NamedDependency[SkipValidation[AccountView]],
    ) -> Redirect | Template:
        try:
            form = await form_of(request, OfferForm)
            await offer_name(actor_of(request, web_principal), name_id, form.to.strip())
        except REFUSALS as refused:
            return await account_view(error=refused)
        return Redirect("/account?done=offered", status_code=303)

    @post("/account/offers/{offer_id:uuid}/withdraw", status_code=303)
    async def withdraw(
        self,
        request: Request[Any, Any, Any],
        offer_id: FromPath[UUID],
        web_principal: NamedDependency[Principal],
        cancel_offer: NamedDependency[SkipValidation[CancelOffer]],
        account_view: NamedDependency[SkipValidation[AccountView]],
    ) -> Redirect | Template:
        try:
            await cancel_offer(actor_of(request, web_principal), offer_id)
        except REFUSALS as refused:
            return await account_view(error=refused)
        return Redirect("/account?done=withdrawn", status_code=303)

    @post("/account/offers/{offer_id:uuid}/accept", status_code=303)
    async def accept(
        self,
        request: Request[Any, Any, Any],
        offer_id: FromPath[UUID],
        web_principal: NamedDependency[Principal],
        accept_offer: NamedDependency[SkipValidation[AcceptOffer]],
        account_view: NamedDependency[SkipValidation[AccountView]],
    ) -> Redirect | Template:
        try:
            await accept_offer(actor_of(request, web_principal), offer_id)
        except REFUSALS as refused:
            return await account_view(error=refused)
        return Redirect("/account?done=accepted", status_code=303)

    @post("/account/reminders", status_code=303)
    async def reminders(
        self,
        request: Request[Any, Any, Any],
        web_principal: NamedDependency[Principal],
        set_reminders: NamedDependency[SkipValidation[SetReminders]],
        account_view: NamedDependency[SkipValidation[AccountView]],
    ) -> Redirect | Template:
        try:
            form = await form_of(request, RemindersForm)
            await set_reminders(web_principal, form.reminders == "on", origin_of(request))
        except REFUSALS as refused:
            return await account_view(error=refused)
        return Redirect("/account?done=reminders", status_code=303)

    @post("/signout", status_code=303)
    async def sign_out(
        self,
        request: Request[Any, Any, Any],
        browser_principal: NamedDependency[Principal | None],
        sign_out: NamedDependency[SkipValidation[SignOut]],
        browser_cookies: NamedDependency[SkipValidation[BrowserCookies]],
    ) -> Redirect:
        if browser_principal is not None:
            await sign_out(browser_principal, origin_of(request))
        response = Redirect("/", status_code=303)
        browser_cookies.clear(response)
        return response
