"""The API key verifier used until API keys are issued: every key is refused."""

from domain.errors import Unauthorized
from domain.ports.auth import ApiKeyGrant


class RefuseApiKeys:
    """ApiKeyVerifier that accepts no key."""

    async def verify(self, presented_key: str) -> ApiKeyGrant:
        raise Unauthorized("API keys are not accepted by this service")
