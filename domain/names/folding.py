"""Look-alike names: one fold maps names a reader could take for one another to the same key.

The fold lowercases, drops the separators `-`, `_` and `.`, reads digits as the letters they pass
for (0 o, 1 l or i, 3 e, 4 a, 5 s, 7 t, 8 b; `i` and `l` fold together since `1` passes for both)
and joins the letter pairs that pass for one letter (rn m, vv w). Two names with the same fold look
alike; a reserved name's look-alikes are refused like the name itself.
"""

import re
from collections.abc import Iterable

SEPARATORS = re.compile(r"[-_.]")
_LETTERS = str.maketrans({"0": "o", "1": "l", "i": "l", "3": "e", "4": "a", "5": "s", "7": "t", "8": "b"})
_PAIRS = (("rn", "m"), ("vv", "w"))


def fold_name(name: str) -> str:
    """The key under which look-alike names meet."""
    folded = SEPARATORS.sub("", name.lower()).translate(_LETTERS)
    for pair, letter in _PAIRS:
        folded = folded.replace(pair, letter)
    return folded


def lookalike_of(name: str, protected: Iterable[str]) -> str | None:
    """The protected name that `name`, or one of its separated parts, folds to; None when none does.

    A part counts too, so `support-team` and `admin_` pass for `support` and `admin`.
    """
    folds = {fold_name(candidate): candidate for candidate in protected}
    for piece in (name, *SEPARATORS.split(name)):
        if piece and (found := folds.get(fold_name(piece))) is not None:
            return found
    return None
