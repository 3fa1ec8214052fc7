"""The Makefile declares only targets it has, and has every target the README names."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]


def targets() -> set[str]:
    return set(re.findall(r"^([a-z][a-z-]*):", (ROOT / "Makefile").read_text(), re.MULTILINE))


def test_every_phony_target_exists() -> None:
    (phony,) = re.findall(r"^\.PHONY:(.*)$", (ROOT / "Makefile").read_text(), re.MULTILINE)

    assert set(phony.split()) - targets() == set()


def test_every_make_command_the_docs_name_exists() -> None:
    named = {
        name
        for path in [ROOT / "README.md", *(ROOT / "docs").glob("*.md")]
        for name in re.findall(r"`make ([a-z][a-z-]*)", path.read_text())
    }

    assert named - targets() == set()
    assert {"run", "test", "lint", "lock"} <= named
