"""The signed-in user's own account."""

from application.auth.accounts import UowFactory
from domain.auth.principal import Principal
from domain.errors import NotFound
from domain.records.users import User


class GetMe:
    """The caller's account record."""

    def __init__(self, unit_of_work: UowFactory) -> None:
        self._uow = unit_of_work

    async def __call__(self, principal: Principal) -> User:
        async with self._uow() as uow:
            user = await uow.users.get(principal.user_id)
        if user is None:
            raise NotFound("the account no longer exists")
        return user
