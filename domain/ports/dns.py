"""The DNS port: TXT lookups for domain verification."""

from typing import Protocol

from domain.errors import DependencyUnavailable


class DnsLookupFailed(DependencyUnavailable):
    """The resolvers did not answer in time, or answered with a server failure."""


class DnsResolver(Protocol):
    """Looks up TXT records through the configured resolvers only, each lookup bounded in time."""

    async def txt_records(self, name: str) -> list[str]:
        """The TXT strings at `name` (the character-strings of one record joined); an empty list
        when the name or the record type does not exist. Raises DnsLookupFailed otherwise."""
        ...
