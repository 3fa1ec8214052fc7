"""Checks that hex values carry at least so many random bits, as such: not only their length.

Every value must be distinct, at least `bits` long, and each of its bit positions must be 1 in
about half of the samples (within six standard deviations of a fair coin), so a constant, stuck or
padded part of a value fails however long the value is.
"""

import math


def assert_random_bits(values: list[str], bits: int) -> None:
    assert len(values) >= 100, "too few samples to judge the bits"
    assert len(set(values)) == len(values), "a value came twice"
    decoded = [bytes.fromhex(value) for value in values]
    width = min(len(value) for value in decoded) * 8
    assert width >= bits, f"values carry {width} bits, fewer than {bits}"
    samples = len(decoded)
    allowed = 6 * math.sqrt(samples) / 2
    numbers = [int.from_bytes(value[: width // 8], "big") for value in decoded]
    unbalanced = [
        position
        for position in range(width)
        if abs(sum((number >> position) & 1 for number in numbers) - samples / 2) > allowed
    ]
    assert not unbalanced, f"bit positions {unbalanced} are not random (of {width})"
