"""Rendering a page: the template, the signed-in state the layout shows and the CSRF token."""

from typing import Any

from litestar import Request
from litestar.response import Template
from litestar.utils.scope.state import ScopeState

from adapters.web.security import CSRF_COOKIE
from domain.auth.principal import Principal


def csrf_token_of(request: Request[Any, Any, Any]) -> str:
    """The token a form or script repeats: the one issued on this safe request, else the cookie's."""
    issued = ScopeState.from_scope(request.scope).csrf_token
    if isinstance(issued, str) and issued:
        return issued
    return request.cookies.get(CSRF_COOKIE, "")


def page(
    request: Request[Any, Any, Any],
    template: str,
    *,
    title: str,
    principal: Principal | None,
    status_code: int = 200,
    **context: Any,
) -> Template:
    """A page in the base layout; `principal` decides whether the navigation offers "Sign out", and
    "Admin" to an admin."""
    return Template(
        template_name=template,
        status_code=status_code,
        context={
            "title": title,
            "signed_in": principal is not None,
            "is_admin": principal is not None and principal.is_admin,
            "csrf": csrf_token_of(request),
            "path": request.url.path,
            **context,
        },
    )
