"""Errors of the client: every non-2xx answer is an ApiError carrying the problem+json body."""

from typing import Any


class ApiError(Exception):
    """The API answered with an error status; `problem` is its RFC 9457 body (or {})."""

    def __init__(self, status: int, problem: dict[str, Any], headers: dict[str, str]) -> None:
        self.status = status
        self.problem = problem
        self.headers = headers
        super().__init__(f"{status}: {problem.get('detail') or problem.get('title') or 'error'}")


class RateLimited(ApiError):
    """429: `retry_after` is the number of seconds the API asks to wait."""

    @property
    def retry_after(self) -> int:
        return int(self.headers.get("retry-after", "1"))
