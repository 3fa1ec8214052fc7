"""What use cases that change names tell the nostr.json directory."""

from typing import Protocol


class NameChanges(Protocol):
    """Hears that names changed, after the change is committed, so served answers are refreshed."""

    async def names_changed(self, domain: str, names: list[str]) -> None: ...
