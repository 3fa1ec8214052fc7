"""How a route documents the problem+json answers it can give, so `/schema` tells the truth.

Spread `problem_responses(...)` into a route decorator:

    @post("/things", status_code=201, **problem_responses(*JSON_BODY, 409, 429, 503))

Every status listed is documented as `application/problem+json` with the `Problem` schema; 429 and
503 also document their `Retry-After` header (and 429 the `RateLimit-*` headers).
"""

from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import msgspec
from litestar.openapi import ResponseSpec
from litestar.openapi.spec import OpenAPIHeader, OpenAPIResponse, OpenAPIType, Operation, Schema

from adapters.http.problems import PROBLEM_JSON

# A route that decodes a JSON body can answer these: undecodable (400), another content type (415),
# a rule broken (422).
JSON_BODY = (400, 415, 422)

_RETRY_AFTER = OpenAPIHeader(
    description="Seconds to wait before trying again",
    schema=Schema(type=OpenAPIType.INTEGER, minimum=0),
)
_RATE_LIMIT = {
    name: OpenAPIHeader(description=description, schema=Schema(type=OpenAPIType.INTEGER, minimum=0))
    for name, description in [
        ("RateLimit-Limit", "Requests allowed in the window"),
        ("RateLimit-Remaining", "Requests left in the window"),
        ("RateLimit-Reset", "Seconds until the window resets"),
    ]
}
HEADERS_OF_STATUS: dict[str, dict[str, OpenAPIHeader]] = {
    "429": {"Retry-After": _RETRY_AFTER, **_RATE_LIMIT},
    "503": {"Retry-After": _RETRY_AFTER},
}


class FieldError(msgspec.Struct):
    field: str
    message: str


class Problem(msgspec.Struct, omit_defaults=True):
    """RFC 9457 problem details."""

    type: str
    title: str
    status: int
    detail: str
    errors: list[FieldError] | None = None


@dataclass
class ProblemOperation(Operation):
    """Keeps only the error answers the route declares (Litestar adds a generic 400 of its own) and
    documents the headers that come with 429 and 503."""

    def __post_init__(self) -> None:
        if not self.responses:
            return
        for status, response in list(self.responses.items()):
            if not isinstance(response, OpenAPIResponse) or not status.isdigit() or int(status) < 400:
                continue
            if not response.content or PROBLEM_JSON not in response.content:
                del self.responses[status]
            elif status in HEADERS_OF_STATUS:
                response.headers = {**(response.headers or {}), **HEADERS_OF_STATUS[status]}


def problem_responses(*statuses: int) -> dict[str, Any]:
    """Keyword arguments for a route decorator: the problem+json answers the route can give."""
    return {
        "responses": {
            status: ResponseSpec(
                data_container=Problem,
                description=HTTPStatus(status).phrase,
                media_type=PROBLEM_JSON,
                generate_examples=False,
            )
            for status in statuses
        },
        "operation_class": ProblemOperation,
    }
