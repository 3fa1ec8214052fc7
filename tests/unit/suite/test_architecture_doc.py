"""docs/architecture.md describes the code as it is: every path it cites exists, and every name it
cites in backticks is there (a module attribute for a dotted name of ours; otherwise a word of our
code, and each keyword of a call it shows)."""

import importlib
import re
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
DOC = ROOT / "docs" / "architecture.md"
PACKAGES = ("domain", "application", "adapters", "bootstrap", "client", "tests", "bench")
FOLDERS = (*PACKAGES, "docs", "migrations", "scripts", "requirements")
# The words of the code: the tests aside, so a test that names a word does not make it exist.
SOURCES = ("domain", "application", "adapters", "bootstrap", "client", "bench", "migrations")
# A path ends where a path's characters do (`application/problem+json` is a media type, not a path).
PATH = re.compile(rf"\b(?:(?:{'|'.join(FOLDERS)})/[\w./-]*+(?!\+)|[\w-]+\.(?:md|toml|py|sql|sh)\b)")
SPAN = re.compile(r"`([^`\n]+)`")
DOTTED = re.compile(r"[A-Za-z_]\w*(?:\.[A-Za-z_]\w*)*")
CALL = re.compile(r"([A-Za-z_][\w.]*)\((.*)\)")
KEYWORD = re.compile(r"\b([a-z_]\w*)=")
# Backticked words of other vocabularies the document quotes: HTTP, JWT claims, stores, shell.
NOT_CODE = re.compile(r"[-/:\s\[\]{}\"'<>*@,]|^\.|\.\.\.|^[a-z]+$|\.(?:md|toml|py|sql|sh|json)$")


def cited_paths(text: str) -> set[str]:
    return {match.rstrip("./") for match in PATH.findall(text)}


def cited_names(text: str) -> set[str]:
    names: set[str] = set()
    for span in SPAN.findall(text):
        call = CALL.fullmatch(span)
        if call is not None:
            names.add(call.group(1))
            names.update(KEYWORD.findall(call.group(2)))
        elif DOTTED.fullmatch(span) and not NOT_CODE.search(span):
            names.add(span)
    return names


@cache
def words_of_the_code() -> frozenset[str]:
    words: set[str] = set()
    for package in SOURCES:
        for path in (ROOT / package).rglob("*"):
            if path.suffix in (".py", ".sql") and ".venv" not in path.parts:
                words.update(re.findall(r"\w+", path.read_text()))
    words.update(re.findall(r"\w+", (ROOT / "pyproject.toml").read_text()))
    return frozenset(words)


def exists(name: str) -> bool:
    parts = name.split(".")
    if parts[0] not in PACKAGES:
        return all(part in words_of_the_code() for part in parts)
    for split in range(len(parts), 0, -1):
        try:
            found: object = importlib.import_module(".".join(parts[:split]))
        except ModuleNotFoundError:
            continue
        for attribute in parts[split:]:
            if not hasattr(found, attribute):
                return False
            found = getattr(found, attribute)
        return True
    return False


@cache
def file_names() -> frozenset[str]:
    return frozenset(
        path.name for folder in FOLDERS for path in (ROOT / folder).rglob("*") if ".venv" not in path.parts
    ) | {path.name for path in ROOT.iterdir()}


def path_exists(path: str) -> bool:
    """A path from the root, or a file name cited beside its folder (`bootstrap/`: `settings.py`)."""
    return (ROOT / path).exists() or ("/" not in path and path in file_names())


def test_every_path_the_architecture_cites_exists() -> None:
    missing = {path for path in cited_paths(DOC.read_text()) if not path_exists(path)}

    assert missing == set()


def test_every_name_the_architecture_cites_exists() -> None:
    missing = {name for name in cited_names(DOC.read_text()) if not exists(name)}

    assert missing == set()


def test_the_check_sees_what_it_must() -> None:
    text = "`Dependency(skip_validation=True)` in `adapters/http/nowhere.py`, see PROTOCOLS.md; `Gone.rule`"

    assert cited_paths(text) == {"adapters/http/nowhere.py", "PROTOCOLS.md"}
    assert not path_exists("adapters/http/nowhere.py")
    assert not path_exists("PROTOCOLS.md")
    assert path_exists("settings.py")
    assert {"Dependency", "skip_validation", "Gone.rule"} <= cited_names(text)
    assert not exists("skip_validation")
    assert not exists("adapters.http.problems.no_such_builder")
    assert exists("adapters.http.problems.problem_document")
