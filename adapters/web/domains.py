"""The custom domains page: add a domain, the exact TXT record to publish, "Check now" with the
reason a check failed, and removing a domain (with every name on it).

Every form redirects (303), so a reload posts nothing again; the outcome of "Check now" reaches
the page it redirects to in a short-lived cookie, shown once."""

import base64
import binascii
from dataclasses import dataclass
from typing import Any, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, SkipValidation
from litestar.response import Redirect, Template

from adapters.http.client_ip import origin_of
from adapters.http.fields import DomainText
from adapters.http.problems import status_of
from adapters.web.forms import form_of
from adapters.web.pages import page
from adapters.web.session import BrowserCookies
from application.custom_domains.manage_custom_domains import (
    AddDomain,
    ListDomains,
    RemoveDomain,
    VerifyDomain,
)
from domain.auth.principal import Principal
from domain.shared.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound

REFUSALS = (InvalidInput, Conflict, Forbidden, NotFound)


PAGE = "/account/domains"
CHECKED_COOKIE = "nid_domain_check"
NOTICES = {
    "added": "The domain is added: publish its TXT record, then check.",
    "removed": "The domain is removed, and every name you held on it.",
}


class AddDomainForm(msgspec.Struct):
    domain: DomainText


class RemoveForm(msgspec.Struct):
    # The box that says the names on the domain end too.
    confirm: Literal["on"] | None = None


class Checked(msgspec.Struct, frozen=True):
    """The outcome of "Check now" on one domain, shown beside it once."""

    domain_id: UUID
    verified: bool
    detail: str

    def encoded(self) -> str:
        return base64.urlsafe_b64encode(msgspec.json.encode(self)).decode()

    @classmethod
    def decoded(cls, text: str | None) -> "Checked | None":
        if not text:
            return None
        try:
            return msgspec.json.decode(base64.urlsafe_b64decode(text), type=cls)
        except (binascii.Error, ValueError, msgspec.DecodeError, msgspec.ValidationError):
            return None


@dataclass(frozen=True)
class DomainsView:
    request: Request[Any, Any, Any]
    principal: Principal
    list_domains: ListDomains

    async def __call__(
        self, *, error: DomainError | None = None, typed: str = "", checked: Checked | None = None
    ) -> Template:
        return page(
            self.request,
            "domains.html",
            title="Custom domains",
            principal=self.principal,
            status_code=200 if error is None else status_of(error),
            domains=await self.list_domains(self.principal.user_id),
            error=str(error) if error is not None else None,
            typed=typed,
            checked=checked,
            notice=NOTICES.get(self.request.query_params.get("done", "")),
        )


async def domains_view(
    request: Request[Any, Any, Any],
    web_principal: NamedDependency[Principal],
    list_domains: NamedDependency[SkipValidation[ListDomains]],
) -> DomainsView:
    return DomainsView(request, web_principal, list_domains)


class DomainPages(Controller):
    path = "/account/domains"

    @get("/")
    async def domains(
        self, request: Request[Any, Any, Any], domains_view: NamedDependency[SkipValidation[DomainsView]]
    ) -> Template:
        checked = Checked.decoded(request.cookies.get(CHECKED_COOKIE))
        answer = await domains_view(checked=checked)
        if checked is not None:
            answer.delete_cookie(key=CHECKED_COOKIE, path=PAGE)
        return answer

    @post("/", status_code=303)
    async def add(
        self,
        request: Request[Any, Any, Any],
        web_principal: NamedDependency[Principal],
        add_domain: NamedDependency[SkipValidation[AddDomain]],
        domains_view: NamedDependency[SkipValidation[DomainsView]],
    ) -> Redirect | Template:
        typed = str((await request.form()).get("domain") or "")
        try:
            form = await form_of(request, AddDomainForm)
            await add_domain(web_principal.user_id, form.domain)
        except REFUSALS as refused:
            return await domains_view(error=refused, typed=typed[:253])
        return Redirect("/account/domains?done=added", status_code=303)

    @post("/{domain_id:uuid}/check", status_code=303)
    async def check(
        self,
        request: Request[Any, Any, Any],
        domain_id: FromPath[UUID],
        web_principal: NamedDependency[Principal],
        verify_domain: NamedDependency[SkipValidation[VerifyDomain]],
        domains_view: NamedDependency[SkipValidation[DomainsView]],
        browser_cookies: NamedDependency[SkipValidation[BrowserCookies]],
    ) -> Redirect | Template:
        try:
            outcome = await verify_domain(web_principal.user_id, domain_id, origin_of(request))
        except REFUSALS as refused:
            return await domains_view(error=refused)
        checked = Checked(domain_id=domain_id, verified=outcome.domain.is_serving, detail=outcome.detail)
        response = Redirect(PAGE, status_code=303)
        browser_cookies.note(response, CHECKED_COOKIE, checked.encoded(), path=PAGE)
        return response

    @post("/{domain_id:uuid}/remove", status_code=303)
    async def remove(
        self,
        request: Request[Any, Any, Any],
        domain_id: FromPath[UUID],
        web_principal: NamedDependency[Principal],
        remove_domain: NamedDependency[SkipValidation[RemoveDomain]],
        domains_view: NamedDependency[SkipValidation[DomainsView]],
    ) -> Redirect | Template:
        try:
            if (await form_of(request, RemoveForm)).confirm is None:
                raise InvalidInput("tick the box that ends your names on the domain too, then remove it")
            await remove_domain(web_principal.user_id, domain_id, origin_of(request))
        except REFUSALS as refused:
            return await domains_view(error=refused)
        return Redirect(f"{PAGE}?done=removed", status_code=303)
