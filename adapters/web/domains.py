"""The custom domains page: add a domain, the exact TXT record to publish, and "Check now" with
the reason a check failed."""

from dataclasses import dataclass
from typing import Any
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
from application.custom_domains.manage_custom_domains import AddDomain, ListDomains, VerifyDomain
from domain.auth.principal import Principal
from domain.shared.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound

REFUSALS = (InvalidInput, Conflict, Forbidden, NotFound)


class AddDomainForm(msgspec.Struct):
    domain: DomainText


@dataclass(frozen=True)
class Checked:
    """The outcome of "Check now" on one domain, shown beside it."""

    domain_id: UUID
    verified: bool
    detail: str


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
            added=self.request.query_params.get("done") == "added",
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
    async def domains(self, domains_view: NamedDependency[SkipValidation[DomainsView]]) -> Template:
        return await domains_view()

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

    @post("/{domain_id:uuid}/check", status_code=200)
    async def check(
        self,
        request: Request[Any, Any, Any],
        domain_id: FromPath[UUID],
        web_principal: NamedDependency[Principal],
        verify_domain: NamedDependency[SkipValidation[VerifyDomain]],
        domains_view: NamedDependency[SkipValidation[DomainsView]],
    ) -> Template:
        try:
            outcome = await verify_domain(web_principal.user_id, domain_id, origin_of(request))
        except REFUSALS as refused:
            return await domains_view(error=refused)
        checked = Checked(domain_id=domain_id, verified=outcome.domain.is_serving, detail=outcome.detail)
        return await domains_view(checked=checked)
