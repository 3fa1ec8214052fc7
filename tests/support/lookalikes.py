"""The look-alike cases (N9) both test tiers check: the unit tier on the memory twin, the
integration tier on PostgreSQL."""

# (held by one account, then asked for, whether the second asker is that same account, refused)
N9_CASES = [
    ("alice", "ALICE", False, True),
    ("alice", "a1ice", False, True),
    ("alice", "al1ce", False, True),
    ("alice", "a-l_i.c-e", False, True),
    ("bob", "b0b", False, True),
    ("marina", "rnarina", False, True),
    ("wendy", "vvendy", False, True),
    ("gil", "g1l", False, True),
    ("oscar", "0scar", False, True),
    ("alice", "a1ice", True, False),
    ("marina", "rnarina", True, False),
    ("alice", "alicia", False, False),
    ("alice", "alice2", False, False),
    ("rn", "nn", False, False),
]
