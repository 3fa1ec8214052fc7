"""The held-name sets while PostgreSQL cannot load them: a name might be held, so it might serve, and
for a second the sets are not asked again (F3). The container's verdicts on the memory cache, and a
database that fails."""

from application.names.held_names import RETRY_AFTER, HeldNames
from domain.shared.unit_of_work import DatabaseUnavailable
from tests.support.app import container_for_tests, settings_for_tests


class DatabaseAway:
    """A unit-of-work factory whose database never answers; counts the attempts."""

    def __init__(self) -> None:
        self.attempts = 0

    def __call__(self) -> "DatabaseAway":
        self.attempts += 1
        return self

    async def __aenter__(self) -> "DatabaseAway":
        raise DatabaseUnavailable("the database is unreachable")

    async def __aexit__(self, *exc: object) -> None:
        return None


async def test_f3_a_name_might_serve_while_the_sets_cannot_load_and_the_database_is_asked_once_a_second(
    tmp_path,
):
    now = [100.0]
    database = DatabaseAway()
    verdicts = container_for_tests(settings_for_tests(tmp_path)).verdicts()
    held = HeldNames(database, verdicts, "id.example", ttl=60, timer=lambda: now[0])  # type: ignore[arg-type]

    assert await held.may_serve("id.example", "alice") is True
    assert database.attempts == 1
    assert await held.may_serve("id.example", "bob") is True
    assert database.attempts == 1  # within RETRY_AFTER the sets are not asked

    now[0] += RETRY_AFTER
    assert await held.may_serve("id.example", "carol") is True
    assert database.attempts == 2
