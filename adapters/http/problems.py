"""RFC 9457 problem+json answers, mapped in one place from domain and framework errors."""

import logging
from http import HTTPStatus
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException

from adapters.http.edge import loggable_path
from domain.billing.ports import InvalidWebhookSignature, ProviderMisconfigured, UnreadableWebhook
from domain.shared.errors import (
    Conflict,
    DependencyUnavailable,
    DomainError,
    Forbidden,
    InvalidInput,
    InvalidTransition,
    NotFound,
    Unauthorized,
)
from domain.zaps.invoice import WrongInvoice
from domain.zaps.ports import WalletRefused

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger("nostr_id.http")
# The credentials a 401 asks for: a session's bearer token or a NIP-98 signed event.
WWW_AUTHENTICATE = 'Bearer realm="nostr-id", Nostr realm="nostr-id"'

_STATUS_OF: list[tuple[type[DomainError], int]] = [
    (InvalidWebhookSignature, 400),
    (UnreadableWebhook, 400),
    (ProviderMisconfigured, 502),
    (WalletRefused, 502),
    (WrongInvoice, 502),
    (InvalidInput, 422),
    (NotFound, 404),
    (Conflict, 409),
    (InvalidTransition, 409),
    (Unauthorized, 401),
    (Forbidden, 403),
    (DependencyUnavailable, 503),
]


def problem_document(
    status: int, detail: str, *, title: str | None = None, errors: list[dict[str, str]] | None = None
) -> dict[str, Any]:
    """The problem+json body; the title defaults to the status's reason phrase."""
    body: dict[str, Any] = {
        "type": "about:blank",
        "title": title or HTTPStatus(status).phrase,
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = errors
    return body


def problem(
    status: int,
    detail: str,
    *,
    title: str | None = None,
    errors: list[dict[str, str]] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[dict[str, Any]]:
    body = problem_document(status, detail, title=title, errors=errors)
    return Response(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def status_of(error: DomainError) -> int:
    """The HTTP status of a domain error, for the API's problems and the pages' answers alike."""
    return next((code for kind, code in _STATUS_OF if isinstance(error, kind)), 400)


def _domain_error(_: Request[Any, Any, Any], error: DomainError) -> Response[dict[str, Any]]:
    status = status_of(error)
    headers = None
    if isinstance(error, DependencyUnavailable):
        headers = {"Retry-After": str(error.retry_after)}
    if isinstance(error, Unauthorized):
        headers = {"WWW-Authenticate": WWW_AUTHENTICATE}
    errors = None
    if isinstance(error, InvalidInput) and error.errors:
        errors = [{"field": field, "message": message} for field, message in error.errors.items()]
    return problem(status, str(error), title=error.title, errors=errors, headers=headers)


def _field_of(item: dict[str, Any]) -> str:
    key = str(item.get("key") or "")
    # Litestar names the whole body "data"; its fields come without that prefix.
    if key == "data" or (not key and item.get("source") == "body"):
        return "body"
    return key or str(item.get("source") or "request")


def _validation_error(_: Request[Any, Any, Any], error: ValidationException) -> Response[dict[str, Any]]:
    """A decoded body or a parameter that breaks a rule: 422 naming each field."""
    extra = error.extra if isinstance(error.extra, list) else []
    errors = [
        {"field": _field_of(item), "message": str(item.get("message", ""))}
        for item in extra
        if isinstance(item, dict)
    ]
    return problem(422, "The request breaks a rule.", title="Invalid input", errors=errors)


def _http_error(_: Request[Any, Any, Any], error: HTTPException) -> Response[dict[str, Any]]:
    headers = dict(error.headers or {})
    return problem(error.status_code, str(error.detail), headers=headers or None)


def _unexpected_error(request: Request[Any, Any, Any], error: Exception) -> Response[dict[str, Any]]:
    log.exception("unhandled error on %s %s", request.method, loggable_path(request.scope), exc_info=error)
    return problem(500, "The server could not complete the request.")


EXCEPTION_HANDLERS: dict[type[Exception], Any] = {
    DomainError: _domain_error,
    ValidationException: _validation_error,
    HTTPException: _http_error,
    Exception: _unexpected_error,
}
