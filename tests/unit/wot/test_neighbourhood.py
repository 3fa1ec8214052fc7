import networkx as nx
import numpy as np
import pytest

from domain.wot.neighbourhood import Neighbourhood


def key(n: int) -> str:
    return f"{n:064x}"


S, A, B, C, D, E, F = (key(n) for n in range(1, 8))


def build(contacts: dict[str, list[str]], seeds: list[str], max_depth: int = 3) -> Neighbourhood:
    return Neighbourhood.from_contacts(seeds, contacts, max_depth=max_depth, damping=0.85, built_at=1000)


CHAIN = {S: [A, B], A: [C], B: [C, S], C: [D], D: [E]}


def test_depth_is_the_fewest_hops_from_a_seed() -> None:
    hood = build(CHAIN, [S])

    depths = {pubkey: hood.position_of(pubkey).depth for pubkey in (S, A, B, C, D, E, F)}

    assert depths == {S: 0, A: 1, B: 1, C: 2, D: 3, E: None, F: None}


def test_members_are_within_max_depth_minus_one_hops() -> None:
    hood = build(CHAIN, [S])

    assert [hood.is_member(p) for p in (S, A, B, C, D)] == [True, True, True, True, False]
    assert hood.member_count == 4


def test_lists_from_beyond_the_neighbourhood_are_ignored() -> None:
    # D's list (D -> E) is present but D is in the outer ring, so E stays unknown.
    hood = build(CHAIN, [S])

    assert hood.position_of(E).depth is None
    assert hood.following(D) is None
    assert sorted(hood.following(B) or []) == sorted([C, S])


def test_member_rank_is_personalized_pagerank_on_the_members() -> None:
    hood = build(CHAIN, [S])
    graph = nx.DiGraph(
        [(u, v) for u, vs in CHAIN.items() for v in vs if u in (S, A, B, C) and v in (S, A, B, C)]
    )
    graph.add_nodes_from([S, A, B, C])

    reference = nx.pagerank(graph, personalization={S: 1}, tol=1e-13, max_iter=1000)

    for pubkey in (S, A, B, C):
        assert hood.rank[hood.pubkeys.index(pubkey)] == pytest.approx(reference[pubkey], abs=1e-9)


def test_trust_is_the_share_of_members_ranked_at_or_below() -> None:
    hood = build(CHAIN, [S])
    rank = {p: hood.rank[hood.pubkeys.index(p)] for p in (S, A, B, C)}

    trust = {p: hood.position_of(p).trust_score for p in (S, A, B, C)}

    # A and B sit in the same place (S follows both, each follows C) and tie below C and S.
    assert rank[A] == pytest.approx(rank[B])
    assert rank[A] < rank[C] < rank[S]
    assert trust == pytest.approx({A: 0.5, B: 0.5, C: 0.75, S: 1.0})


def test_outer_ring_gets_one_propagation_step_from_member_followers() -> None:
    hood = build(CHAIN, [S])
    c_rank = hood.rank[hood.pubkeys.index(C)]
    raw = 0.85 * c_rank / 1  # C follows only D
    below = int(np.sum(hood.rank <= raw))

    position = hood.position_of(D)

    assert position.trusted_followers == 1
    assert position.trust_score == pytest.approx((below + 1) / (hood.member_count + 1))


def test_trusted_followers_counts_member_followers_only() -> None:
    hood = build({S: [A, B], A: [B], B: []}, [S])

    assert hood.position_of(B).trusted_followers == 2
    assert hood.position_of(S).trusted_followers == 0


def test_no_seeds_means_nobody_is_near() -> None:
    hood = build(CHAIN, [])

    assert hood.member_count == 0
    for pubkey in (S, A, D):
        position = hood.position_of(pubkey)
        assert (position.depth, position.trust_score, position.trusted_followers) == (None, 0.0, 0)


def test_a_seed_without_a_contact_list_is_still_a_seed() -> None:
    hood = build({}, [S])

    position = hood.position_of(S)

    assert (position.depth, position.trust_score) == (0, 1.0)
    assert hood.position_of(A).depth is None


def test_max_depth_one_keeps_only_the_seeds_as_members() -> None:
    hood = build(CHAIN, [S], max_depth=1)

    assert hood.member_count == 1
    assert hood.position_of(A).depth == 1
    assert hood.position_of(C).depth is None


def test_duplicate_seeds_count_once() -> None:
    once = build(CHAIN, [S])
    twice = build(CHAIN, [S, S])

    assert twice.seeds == (S,)
    assert np.allclose(once.rank, twice.rank)


def test_packing_round_trips_everything_a_score_needs() -> None:
    hood = build(CHAIN, [S, B])

    copy = Neighbourhood.from_bytes(hood.to_bytes(), damping=0.85)

    assert copy.pubkeys == hood.pubkeys
    assert copy.seeds == hood.seeds
    assert copy.built_at == 1000
    assert np.array_equal(copy.rank, hood.rank)
    for pubkey in (S, A, B, C, D, E):
        assert copy.position_of(pubkey) == hood.position_of(pubkey)


def test_packing_is_compact() -> None:
    people = [key(n) for n in range(1, 2001)]
    contacts = {p: [people[(i * 7 + j) % 2000] for j in range(1, 30)] for i, p in enumerate(people)}
    hood = build(contacts, people[:3])

    packed = hood.to_bytes()

    # 32 bytes and a depth byte per key, 4 per follow, 8 for the rank and 8 for the row pointer per member.
    edges = hood.follows.nnz
    assert len(packed) < 33 * len(hood.pubkeys) + 4 * edges + 16 * hood.member_count + 1000
