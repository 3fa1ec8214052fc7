"""Domain errors. The HTTP adapter maps each to a problem+json answer in one place."""


class DomainError(Exception):
    """Base of every error the core raises on purpose."""

    title = "Request could not be completed"


class NotFound(DomainError):
    title = "Not found"


class Conflict(DomainError):
    title = "Conflict"


class InvalidInput(DomainError):
    title = "Invalid input"

    def __init__(self, detail: str, errors: dict[str, str] | None = None) -> None:
        super().__init__(detail)
        self.errors = errors or {}


class InvalidTransition(DomainError):
    title = "Invalid state transition"


class Unauthorized(DomainError):
    title = "Unauthorized"


class Forbidden(DomainError):
    title = "Forbidden"


class QuotaExceeded(Forbidden):
    """The user's plan allows no more of something (names, custom domains); answered 403."""

    title = "Quota exceeded"


class DependencyUnavailable(DomainError):
    """A dependency (database, cache, relay) could not answer; callers may retry later."""

    title = "Service temporarily unavailable"

    def __init__(self, detail: str, retry_after: int = 5) -> None:
        super().__init__(detail)
        self.retry_after = retry_after
