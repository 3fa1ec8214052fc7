"""Why one relay did not complete a call; the pool turns these into RelayUnavailable when all fail."""


class RelayError(Exception):
    """One relay failed one call. `reason` labels the failure in metrics."""

    reason = "error"


class RelayDown(RelayError):
    reason = "unreachable"


class ConnectionLost(RelayError):
    reason = "disconnected"


class RelayRefused(RelayError):
    """The relay closed the subscription (CLOSED) or refused the message."""

    reason = "refused"


class AuthRequired(RelayRefused):
    reason = "auth-required"


class RateLimited(RelayRefused):
    """The relay closed the subscription with `rate-limited:`; it may answer after a pause."""

    reason = "rate-limited"


class CountUnsupported(RelayError):
    """The relay answered COUNT with CLOSED or NOTICE: it does not support NIP-45."""

    reason = "count-unsupported"


class CountUnanswered(CountUnsupported):
    """The relay left COUNT unanswered: no sign it is alive, nor that it is failing."""

    reason = "count-unanswered"


class CapExceeded(RelayError):
    """The relay sent more events or bytes than one call may take."""

    reason = "cap"
