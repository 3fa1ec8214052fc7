"""Installs are reproducible: every dependency pyproject.toml names is pinned, with hashes, in its lock.

Adding a dependency to pyproject.toml without `make lock` fails here.
"""

import re
import tomllib
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name
from packaging.version import Version

ROOT = Path(__file__).resolve().parents[3]
# Which lock installs which sets of pyproject.toml's dependencies.
LOCKS = {
    "requirements/base.txt": (),
    "requirements/embedded.txt": ("embedded",),
    "requirements/dev.txt": ("embedded", "dev"),
}
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;]+)")


def pinned(lock: str) -> dict[str, str]:
    """Name -> version of every requirement in a lock, checking each carries a hash."""
    pins: dict[str, str] = {}
    for entry in re.split(r"\n(?=\S)", (ROOT / lock).read_text()):
        match = PIN.match(entry)
        if match is None:
            continue
        assert "--hash=sha256:" in entry, f"{lock}: {match.group(1)} has no hash"
        pins[canonicalize_name(match.group(1))] = match.group(2)
    return pins


def declared(extras: tuple[str, ...]) -> list[Requirement]:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    names = list(project["dependencies"])
    for extra in extras:
        names += project["optional-dependencies"][extra]
    return [Requirement(name) for name in names]


def unpinned(lock: str, extras: tuple[str, ...]) -> list[str]:
    return not_in_lock(lock, declared(extras))


def not_in_lock(lock: str, requirements: list[Requirement]) -> list[str]:
    pins = pinned(lock)
    return [
        str(requirement)
        for requirement in requirements
        if canonicalize_name(requirement.name) not in pins
        or not requirement.specifier.contains(
            Version(pins[canonicalize_name(requirement.name)]), prereleases=True
        )
    ]


@pytest.mark.parametrize(("lock", "extras"), LOCKS.items())
def test_every_declared_dependency_is_pinned_with_hashes_in_its_lock(
    lock: str, extras: tuple[str, ...]
) -> None:
    assert unpinned(lock, extras) == []


def test_the_client_needs_nothing_the_dev_lock_does_not_pin() -> None:
    # `make` installs the client (its own distribution) with --no-deps, beside the service, from this lock.
    client = tomllib.loads((ROOT / "client" / "pyproject.toml").read_text())["project"]

    assert not_in_lock("requirements/dev.txt", [Requirement(name) for name in client["dependencies"]]) == []


def test_production_installs_nothing_of_the_dev_set() -> None:
    base = pinned("requirements/base.txt")

    assert {"pytest", "ruff", "mypy", "hypothesis", "pgserver", "nostr-sdk"} & set(base) == set()


def test_the_locks_agree_on_every_version() -> None:
    dev = pinned("requirements/dev.txt")
    for lock in ("requirements/base.txt", "requirements/embedded.txt"):
        assert {name: dev.get(name) for name in pinned(lock)} == pinned(lock)


def test_a_dependency_missing_from_a_lock_is_found() -> None:
    # Checked against the production lock, the dev tools are missing from it.
    missing = {Requirement(entry).name for entry in unpinned("requirements/base.txt", ("dev",))}

    assert {"pytest", "pytest-timeout", "ruff", "mypy"} <= missing
