"""Free text people write (a key's name, a reason): what PostgreSQL can store and a log shows plainly."""

import re

from domain.shared.errors import InvalidInput

# No control characters but tab and line breaks (PostgreSQL text holds no NUL at all).
PLAIN_TEXT_PATTERN = r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f]*$"
_PLAIN_TEXT = re.compile(PLAIN_TEXT_PATTERN)


def parse_plain_text(value: str, field: str) -> str:
    """The text when it holds no control character but tab and line breaks; InvalidInput otherwise."""
    if _PLAIN_TEXT.fullmatch(value) is None:
        raise InvalidInput(f"{field} holds a control character", {field: "control character"})
    return value
