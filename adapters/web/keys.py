"""The API keys page: create a key (shown once), each key's last use and daily usage (a chart drawn
on the server), and revoking one. The same use cases as /api/v1/api-keys, audited alike."""

from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, SkipValidation
from litestar.response import Redirect, Template
from markupsafe import Markup

from adapters.http.client_ip import origin_of
from adapters.http.problems import status_of
from adapters.web.amounts import instant_text
from adapters.web.charts import bar_chart, daily_counts, requests_sentence
from adapters.web.pages import page
from application.api_keys.keys import CreateApiKey, GetApiKeyUsage, ListApiKeys, RevokeApiKey
from domain.api_keys.keys import MAX_NAME_LENGTH, ApiKey, ApiKeyScope, IssuedApiKey
from domain.auth.principal import Principal
from domain.shared.errors import Conflict, DomainError, Forbidden, InvalidInput, NotFound

REFUSALS = (InvalidInput, Conflict, Forbidden, NotFound)
SCOPES = [scope.value for scope in ApiKeyScope]
SCOPE_HELP = {
    ApiKeyScope.WOT_READ.value: "read Web of Trust figures",
    ApiKeyScope.NIP05_READ.value: "read names",
    ApiKeyScope.WOT_PUBLISH.value: "publish NIP-85 trust assertions",
}


class CreateKeyForm(msgspec.Struct):
    name: Annotated[str, msgspec.Meta(max_length=MAX_NAME_LENGTH * 2)] = ""


@dataclass(frozen=True)
class KeyView:
    id: UUID
    name: str
    prefix: str
    scopes: str
    created: str
    last_used: str
    revoked: str | None
    chart: Markup | None
    usage_sentence: str
    usage_days: list[tuple[str, int]]


@dataclass(frozen=True)
class KeysView:
    request: Request[Any, Any, Any]
    principal: Principal
    list_api_keys: ListApiKeys
    get_api_key_usage: GetApiKeyUsage

    async def _key(self, key: ApiKey) -> KeyView:
        chart, sentence, used = None, "", []
        if key.revoked_at is None:
            report = await self.get_api_key_usage(self.principal, key.id, None, None)
            days = daily_counts(report.first, report.last, ((u.day, u.count) for u in report.items))
            sentence = requests_sentence(days)
            chart = bar_chart(days, f"Requests per day with {key.name}: {sentence}")
            used = [(day.isoformat(), count) for day, count in days if count]
        return KeyView(
            id=key.id,
            name=key.name,
            prefix=key.prefix,
            scopes=", ".join(scope.value for scope in key.scopes),
            created=instant_text(key.created_at),
            last_used=instant_text(key.last_used_at),
            revoked=instant_text(key.revoked_at) if key.revoked_at else None,
            chart=chart,
            usage_sentence=sentence,
            usage_days=used,
        )

    async def __call__(
        self,
        *,
        error: DomainError | None = None,
        issued: IssuedApiKey | None = None,
        typed: str = "",
        checked: tuple[str, ...] = (),
    ) -> Template:
        keys = [await self._key(key) for key in await self.list_api_keys(self.principal)]
        return page(
            self.request,
            "keys.html",
            title="API keys",
            principal=self.principal,
            status_code=200 if error is None else status_of(error),
            keys=keys,
            scopes=[(scope, SCOPE_HELP[scope]) for scope in SCOPES],
            issued=issued,
            error=str(error) if error is not None else None,
            typed=typed,
            checked=checked,
            revoked=self.request.query_params.get("done") == "revoked",
        )


async def keys_view(
    request: Request[Any, Any, Any],
    web_principal: NamedDependency[Principal],
    list_api_keys: NamedDependency[SkipValidation[ListApiKeys]],
    get_api_key_usage: NamedDependency[SkipValidation[GetApiKeyUsage]],
) -> KeysView:
    return KeysView(request, web_principal, list_api_keys, get_api_key_usage)


class KeyPages(Controller):
    path = "/account/keys"

    @get("/")
    async def keys(self, keys_view: NamedDependency[SkipValidation[KeysView]]) -> Template:
        return await keys_view()

    @post("/", status_code=200)
    async def create(
        self,
        request: Request[Any, Any, Any],
        web_principal: NamedDependency[Principal],
        create_api_key: NamedDependency[SkipValidation[CreateApiKey]],
        keys_view: NamedDependency[SkipValidation[KeysView]],
    ) -> Template:
        """The new key is on this answer only: it is shown, not redirected to."""
        posted = await request.form()
        checked = tuple(scope for scope in posted.getall("scopes", []) if scope in SCOPES)
        typed = ""
        try:
            typed = (await _form(request)).name
            if not checked:
                raise InvalidInput("choose at least one scope", {"scopes": "none chosen"})
            issued = await create_api_key(web_principal, typed, list(checked), origin_of(request))
        except REFUSALS as refused:
            return await keys_view(error=refused, typed=typed[:MAX_NAME_LENGTH], checked=checked)
        return await keys_view(issued=issued)

    @post("/{api_key_id:uuid}/revoke", status_code=303)
    async def revoke(
        self,
        request: Request[Any, Any, Any],
        api_key_id: FromPath[UUID],
        web_principal: NamedDependency[Principal],
        revoke_api_key: NamedDependency[SkipValidation[RevokeApiKey]],
        keys_view: NamedDependency[SkipValidation[KeysView]],
    ) -> Redirect | Template:
        try:
            await revoke_api_key(web_principal, api_key_id, origin_of(request))
        except REFUSALS as refused:
            return await keys_view(error=refused)
        return Redirect("/account/keys?done=revoked", status_code=303)


async def _form(request: Request[Any, Any, Any]) -> CreateKeyForm:
    posted = await request.form()
    try:
        return msgspec.convert({"name": posted.get("name") or ""}, CreateKeyForm, strict=False)
    except msgspec.ValidationError as error:
        raise InvalidInput(str(error)) from None
