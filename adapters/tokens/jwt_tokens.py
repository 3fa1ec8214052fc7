"""Session access tokens as JWTs (RFC 7519, RFC 8725 practices) signed with HS256 by pyjwt.

The algorithm comes from an allow-list, never from the token; every claim is required; the
audience, issuer, token type and `crit` header are checked. Time claims are judged against the
injected clock with a small explicit leeway, so the boundaries are tested on a frozen clock.
"""

import secrets
from datetime import UTC, datetime, timedelta
from uuid import UUID

import jwt

from domain.auth.ports import AccessClaims
from domain.shared.errors import Unauthorized

ALGORITHMS = ["HS256"]
ACCESS_TYPE = "access"
ACCESS_AUDIENCE = "nostr-id:access"
HEADER_TYPE = "at+jwt"
REQUIRED_CLAIMS = ["sub", "sid", "jti", "iat", "exp", "iss", "aud", "typ"]
LEEWAY = timedelta(seconds=5)


class JwtAccessTokens:
    """AccessTokens port on pyjwt."""

    def __init__(self, secret: str, *, issuer: str, lifetime_seconds: int = 900) -> None:
        if len(secret.encode()) < 32:
            raise ValueError("the signing secret must be at least 32 bytes")
        self._secret = secret
        self._issuer = issuer
        self._lifetime = lifetime_seconds

    @property
    def lifetime_seconds(self) -> int:
        return self._lifetime

    def issue(self, *, user_id: UUID, session_id: UUID, now: datetime) -> str:
        issued = int(now.timestamp())
        claims = {
            "sub": str(user_id),
            "sid": str(session_id),
            "jti": secrets.token_hex(16),
            "iat": issued,
            "exp": issued + self._lifetime,
            "iss": self._issuer,
            "aud": ACCESS_AUDIENCE,
            "typ": ACCESS_TYPE,
        }
        return jwt.encode(claims, self._secret, algorithm=ALGORITHMS[0], headers={"typ": HEADER_TYPE})

    def verify(self, token: str, now: datetime) -> AccessClaims:
        try:
            header = jwt.get_unverified_header(token)
            if "crit" in header:
                raise Unauthorized(
                    "the access token has critical header parameters this service does not know"
                )
            if header.get("typ") != HEADER_TYPE:
                raise Unauthorized("the token is not an access token")
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=ALGORITHMS,
                audience=ACCESS_AUDIENCE,
                issuer=self._issuer,
                options={
                    "require": REQUIRED_CLAIMS,
                    # Time claims are checked below against the injected clock.
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                },
            )
        except jwt.InvalidTokenError as error:
            raise Unauthorized(f"the access token is not valid ({_reason(error)})") from None
        if claims["typ"] != ACCESS_TYPE:
            raise Unauthorized("the token is not an access token")
        issued_at, expires_at = _instant(claims, "iat"), _instant(claims, "exp")
        if "nbf" in claims and _instant(claims, "nbf") > now + LEEWAY:
            raise Unauthorized("the access token is not valid yet")
        if issued_at > now + LEEWAY:
            raise Unauthorized("the access token was issued in the future")
        if now >= expires_at + LEEWAY:
            raise Unauthorized("the access token has expired")
        try:
            user_id, session_id = UUID(str(claims["sub"])), UUID(str(claims["sid"]))
        except ValueError:
            raise Unauthorized("the access token is not valid (malformed subject)") from None
        return AccessClaims(
            user_id=user_id,
            session_id=session_id,
            issued_at=issued_at,
            expires_at=expires_at,
        )


def _instant(claims: dict[str, object], name: str) -> datetime:
    value = claims[name]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Unauthorized(f"the access token is not valid ({name} is not a number)")
    return datetime.fromtimestamp(value, UTC)


def _reason(error: jwt.InvalidTokenError) -> str:
    if isinstance(error, jwt.MissingRequiredClaimError):
        return f"missing claim {error.claim}"
    if isinstance(error, jwt.InvalidAudienceError):
        return "wrong audience"
    if isinstance(error, jwt.InvalidIssuerError):
        return "wrong issuer"
    if isinstance(error, jwt.InvalidAlgorithmError):
        return "algorithm not allowed"
    if isinstance(error, jwt.InvalidSignatureError):
        return "bad signature"
    if "critical" in str(error).lower():
        return "unknown critical header parameter"
    return "malformed"
