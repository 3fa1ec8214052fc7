"""The DNS port on dnspython: TXT lookups through the configured resolvers only, each bounded."""

import dns.asyncresolver
import dns.exception
import dns.nameserver
import dns.resolver

from domain.names.ports import DnsLookupFailed

DEFAULT_PORT = 53


def parse_nameserver(value: str) -> tuple[str, int]:
    """`192.0.2.1`, `192.0.2.1:5353`, `2001:db8::1` or `[2001:db8::1]:5353` -> (address, port)."""
    if value.startswith("["):
        address, _, port = value[1:].partition("]")
        return address, int(port.lstrip(":") or DEFAULT_PORT)
    if value.count(":") == 1:
        address, port = value.split(":")
        return address, int(port)
    return value, DEFAULT_PORT


class DnspythonResolver:
    """Asks only `nameservers` (the system's resolvers when empty); every lookup, retries
    included, ends within `timeout` seconds."""

    def __init__(self, nameservers: tuple[str, ...] = (), timeout: float = 3.0) -> None:
        if not timeout > 0:
            raise ValueError(f"timeout must be positive seconds, got {timeout!r}")
        self._resolver = dns.asyncresolver.Resolver(configure=not nameservers)
        if nameservers:
            self._resolver.nameservers = [
                dns.nameserver.Do53Nameserver(address, port)
                for address, port in map(parse_nameserver, nameservers)
            ]
        self._resolver.timeout = timeout
        self._resolver.lifetime = timeout
        self._resolver.cache = None

    async def txt_records(self, name: str) -> list[str]:
        try:
            answer = await self._resolver.resolve(name, "TXT", search=False, raise_on_no_answer=True)
        except (dns.resolver.NXDOMAIN, dns.resolver.NoAnswer):
            return []
        except dns.exception.DNSException as error:
            raise DnsLookupFailed(f"DNS lookup of {name} failed: {type(error).__name__}") from error
        return [b"".join(record.strings).decode("utf-8", "replace") for record in answer]
