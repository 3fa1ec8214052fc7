"""Form posts of the pages, decoded once at the edge into Structs (the API's own field rules)."""

from typing import Any, TypeVar

import msgspec
from litestar import Request

from domain.shared.errors import InvalidInput

FormT = TypeVar("FormT", bound=msgspec.Struct)


async def form_of(request: Request[Any, Any, Any], shape: type[FormT]) -> FormT:
    """The posted form as `shape`; a missing or malformed field is InvalidInput naming it."""
    form = await request.form()
    try:
        return msgspec.convert({key: form.get(key) for key in form}, shape, strict=False)
    except msgspec.ValidationError as error:
        raise InvalidInput(str(error)) from None


def lines(text: str) -> list[str]:
    """The non-empty lines (or comma-separated items) of a text field."""
    return [item.strip() for line in text.splitlines() for item in line.split(",") if item.strip()]
