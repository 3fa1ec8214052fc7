"""Account administration (role admin): /api/v1/admin/users/*. Every action is audited."""

from typing import Any, Literal
from uuid import UUID

import msgspec
from litestar import Controller, Request, post
from litestar.di import NamedDependency
from litestar.params import FromPath, JSONBody, SkipValidation

from adapters.http.me import UserResponse
from adapters.http.principal import SIGNED_IN_PROBLEMS, actor_of
from adapters.http.responses import JSON_BODY, problem_responses
from application.auth.admin_users import ChangeRole, SetSuspension
from domain.auth.principal import Principal
from domain.auth.users import User, UserRole


class RoleRequest(msgspec.Struct, forbid_unknown_fields=True):
    role: Literal["user", "admin"]


class AdminUserResponse(UserResponse):
    status: str

    @classmethod
    def of_user(cls, user: User) -> "AdminUserResponse":
        base = UserResponse.of(user)
        return cls(**msgspec.structs.asdict(base), status=user.status.value)


class AdminUsersController(Controller):
    path = "/api/v1/admin/users"
    tags = ["admin"]

    @post("/{user_id:uuid}/suspend", status_code=200, **problem_responses(*SIGNED_IN_PROBLEMS, 404, 409, 422))
    async def suspend(
        self,
        request: Request[Any, Any, Any],
        user_id: FromPath[UUID],
        admin_principal: NamedDependency[Principal],
        set_suspension: NamedDependency[SkipValidation[SetSuspension]],
    ) -> AdminUserResponse:
        """Suspends an account: its tokens and sessions stop working at once."""
        user = await set_suspension(user_id, suspended=True, actor=actor_of(request, admin_principal))
        return AdminUserResponse.of_user(user)

    @post(
        "/{user_id:uuid}/unsuspend", status_code=200, **problem_responses(*SIGNED_IN_PROBLEMS, 404, 409, 422)
    )
    async def unsuspend(
        self,
        request: Request[Any, Any, Any],
        user_id: FromPath[UUID],
        admin_principal: NamedDependency[Principal],
        set_suspension: NamedDependency[SkipValidation[SetSuspension]],
    ) -> AdminUserResponse:
        """Lifts a suspension."""
        user = await set_suspension(user_id, suspended=False, actor=actor_of(request, admin_principal))
        return AdminUserResponse.of_user(user)

    @post("/{user_id:uuid}/role", status_code=200, **problem_responses(*SIGNED_IN_PROBLEMS, *JSON_BODY, 404))
    async def role(
        self,
        request: Request[Any, Any, Any],
        user_id: FromPath[UUID],
        data: JSONBody[RoleRequest],
        admin_principal: NamedDependency[Principal],
        change_role: NamedDependency[SkipValidation[ChangeRole]],
    ) -> AdminUserResponse:
        """Gives an account the role `user` or `admin`."""
        user = await change_role.by_id(user_id, UserRole(data.role), actor_of(request, admin_principal))
        return AdminUserResponse.of_user(user)
