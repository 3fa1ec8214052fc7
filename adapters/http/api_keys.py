"""API keys of the signed-in user: create (the key is shown once), list, revoke, usage."""

from datetime import date, datetime
from typing import Annotated, Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, delete, get, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, QueryParameter, SkipValidation

from adapters.http.client_ip import origin_of
from adapters.http.responses import JSON_BODY, problem_responses
from application.api_keys.keys import (
    CreateApiKey,
    GetApiKeyUsage,
    ListApiKeys,
    RevokeApiKey,
)
from domain.api_keys.keys import MAX_NAME_LENGTH, NAME_PATTERN, ApiKey, ApiKeyScope
from domain.auth.principal import Principal


class CreateApiKeyRequest(msgspec.Struct, forbid_unknown_fields=True):
    name: Annotated[
        str,
        msgspec.Meta(
            min_length=1,
            max_length=MAX_NAME_LENGTH,
            pattern=NAME_PATTERN,
            description="stored without leading and trailing white space",
        ),
    ]
    scopes: Annotated[list[ApiKeyScope], msgspec.Meta(min_length=1, max_length=10)]


class ApiKeyResponse(msgspec.Struct):
    id: UUID
    name: str
    prefix: str
    scopes: list[str]
    created_at: datetime
    last_used_at: datetime | None
    revoked_at: datetime | None

    @classmethod
    def of(cls, key: ApiKey) -> "ApiKeyResponse":
        return cls(
            id=key.id,
            name=key.name,
            prefix=key.prefix,
            scopes=[scope.value for scope in key.scopes],
            created_at=key.created_at,
            last_used_at=key.last_used_at,
            revoked_at=key.revoked_at,
        )


class CreatedApiKeyResponse(msgspec.Struct):
    id: UUID
    name: str
    key: str
    prefix: str
    scopes: list[str]
    created_at: datetime


class ApiKeyList(msgspec.Struct):
    items: list[ApiKeyResponse]


class UsageItem(msgspec.Struct):
    day: date
    endpoint: str
    status_class: str
    count: int


class UsageResponse(msgspec.Struct):
    first_day: date = msgspec.field(name="from")
    last_day: date = msgspec.field(name="to")
    items: list[UsageItem]
    total: int


class ApiKeysController(Controller):
    path = "/api/v1/api-keys"
    tags = ["api keys"]

    @post("/", status_code=201, **problem_responses(*JSON_BODY, 401, 403, 429, 503))
    async def create(
        self,
        request: Request[Any, Any, Any],
        data: JSONBody[CreateApiKeyRequest],
        principal: NamedDependency[Principal],
        create_api_key: NamedDependency[SkipValidation[CreateApiKey]],
    ) -> CreatedApiKeyResponse:
        """A new API key; `key` is shown in this answer only.

        403 `Quota exceeded` when the user already holds as many unrevoked keys as their plan
        allows; the `detail` names the plan and its quota."""
        issued = await create_api_key(principal, data.name, data.scopes, origin_of(request))
        key = issued.api_key
        return CreatedApiKeyResponse(
            id=key.id,
            name=key.name,
            key=issued.key,
            prefix=key.prefix,
            scopes=[scope.value for scope in key.scopes],
            created_at=key.created_at,
        )

    @get("/", **problem_responses(401, 403, 429, 503))
    async def list_keys(
        self,
        principal: NamedDependency[Principal],
        list_api_keys: NamedDependency[SkipValidation[ListApiKeys]],
    ) -> ApiKeyList:
        """The user's keys, newest first, revoked ones included; never the keys themselves."""
        return ApiKeyList(items=[ApiKeyResponse.of(key) for key in await list_api_keys(principal)])

    @delete("/{api_key_id:uuid}", status_code=204, **problem_responses(401, 403, 404, 429, 503))
    async def revoke(
        self,
        request: Request[Any, Any, Any],
        api_key_id: FromPath[UUID],
        principal: NamedDependency[Principal],
        revoke_api_key: NamedDependency[SkipValidation[RevokeApiKey]],
    ) -> None:
        """Revokes the key; every process refuses it within a second."""
        await revoke_api_key(principal, api_key_id, origin_of(request))

    @get("/{api_key_id:uuid}/usage", **problem_responses(400, 401, 403, 404, 422, 429, 503))
    async def usage(
        self,
        api_key_id: FromPath[UUID],
        principal: NamedDependency[Principal],
        get_api_key_usage: NamedDependency[SkipValidation[GetApiKeyUsage]],
        first_day: Annotated[date | None, QueryParameter(name="from")] = None,
        last_day: Annotated[date | None, QueryParameter(name="to")] = None,
    ) -> UsageResponse:
        """Recorded uses by day, endpoint and status class, `from`/`to` inclusive: by default the 30
        days to today; at most the 366 days ending at `to` (an earlier `from` is moved forward), and
        none when `from` is after `to`. The answer's `from` and `to` name the days it covers.
        Uses are recorded in batches, a few seconds after they happen."""
        report = await get_api_key_usage(principal, api_key_id, first_day, last_day)
        return UsageResponse(
            first_day=report.first,
            last_day=report.last,
            items=[
                UsageItem(day=u.day, endpoint=u.endpoint, status_class=u.status_class, count=u.count)
                for u in report.items
            ],
            total=report.total,
        )
