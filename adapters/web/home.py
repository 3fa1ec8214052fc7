"""The first page: a name search answered by the API's availability use case."""

from typing import Annotated, Any

import msgspec
from litestar import Controller, Request, get
from litestar.di import NamedDependency
from litestar.params import Parameter, SkipValidation
from litestar.response import Template

from adapters.web.pages import page
from application.names.manage_names import CheckNameAvailability
from domain.auth.principal import Principal
from domain.names.custom_domains import MAX_DOMAIN_LENGTH
from domain.names.nip05 import MAX_NAME_LENGTH


class Answer(msgspec.Struct, frozen=True):
    name: str
    domain: str
    available: bool
    reason: str | None

    @property
    def sentence(self) -> str:
        identifier = f"{self.name}@{self.domain}"
        if self.available:
            return f"{identifier} is available"
        if self.reason in ("taken", "held after release"):
            return f"{identifier} is taken"
        return f"{identifier} is not available: {self.reason}"


async def _answer(
    principal: Principal | None,
    check_name_availability: CheckNameAvailability,
    name: str,
    domain: str | None = None,
) -> Answer:
    found = await check_name_availability(principal.user_id if principal else None, name, domain or None)
    return Answer(found.name, found.domain, found.available, found.reason)


# Charged as anonymous API requests are (adapters/http/rate_limits.py): they answer what
# /api/v1/nip05/availability answers.
READ_PAGES = frozenset({"/", "/check"})
NameQuery = Annotated[str | None, Parameter(max_length=MAX_NAME_LENGTH * 2)]
DomainQuery = Annotated[str | None, Parameter(max_length=MAX_DOMAIN_LENGTH)]


class HomePage(Controller):
    path = "/"

    @get("/")
    async def home(
        self,
        request: Request[Any, Any, Any],
        browser_principal: NamedDependency[Principal | None],
        check_name_availability: NamedDependency[SkipValidation[CheckNameAvailability]],
        name: NameQuery = None,
    ) -> Template:
        answer = None
        if name and name.strip():
            answer = await _answer(browser_principal, check_name_availability, name)
        return page(
            request,
            "home.html",
            title="nostr-id",
            principal=browser_principal,
            name=name or "",
            answer=answer,
        )

    @get("/check", media_type="text/plain")
    async def check(
        self,
        unrenewed_principal: NamedDependency[Principal | None],
        check_name_availability: NamedDependency[SkipValidation[CheckNameAvailability]],
        name: NameQuery = None,
        domain: DomainQuery = None,
    ) -> str:
        """The answer's sentence alone, for the page's script as the person types."""
        if not name or not name.strip():
            return ""
        return (await _answer(unrenewed_principal, check_name_availability, name, domain)).sentence
