import networkx as nx
import numpy as np
import pytest
from scipy import sparse

from domain.wot.pagerank import personalized_pagerank


def _matrix(graph: nx.DiGraph, size: int) -> sparse.csr_array:
    return sparse.csr_array(nx.to_scipy_sparse_array(graph, nodelist=range(size), format="csr"))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_agrees_with_networkx_personalized_pagerank(seed: int) -> None:
    graph = nx.gnp_random_graph(200, 0.03, seed=seed, directed=True)
    seeds = [0, 7, 19]

    ours = personalized_pagerank(_matrix(graph, 200), np.array(seeds))

    reference = nx.pagerank(
        graph, alpha=0.85, personalization=dict.fromkeys(seeds, 1), tol=1e-13, max_iter=1000
    )
    assert np.allclose(ours, [reference[i] for i in range(200)], atol=1e-9)


def test_dangling_nodes_return_their_weight_to_the_seeds() -> None:
    # 0 -> 1, and 1 follows nobody: everything 1 holds goes back to seed 0.
    follows = sparse.csr_array(np.array([[0, 1], [0, 0]]))

    ranks = personalized_pagerank(follows, np.array([0]), damping=0.85)

    assert ranks.sum() == pytest.approx(1.0)
    # x0 = 0.15 + 0.85 * x1, x1 = 0.85 * x0  =>  x0 = 0.15 / (1 - 0.85**2)
    assert ranks[0] == pytest.approx(0.15 / (1 - 0.85**2))
    assert ranks[1] == pytest.approx(0.85 * ranks[0])


def test_restarts_are_spread_evenly_over_the_seeds() -> None:
    follows = sparse.csr_array((3, 3), dtype=np.int8)

    ranks = personalized_pagerank(follows, np.array([0, 2]))

    assert list(ranks) == pytest.approx([0.5, 0.0, 0.5])


def test_no_seeds_gives_zeros() -> None:
    follows = sparse.csr_array(np.array([[0, 1], [1, 0]]))

    assert list(personalized_pagerank(follows, np.array([], dtype=np.int64))) == [0.0, 0.0]


def test_damping_changes_the_answer() -> None:
    graph = nx.gnp_random_graph(50, 0.1, seed=4, directed=True)
    matrix = _matrix(graph, 50)

    low = personalized_pagerank(matrix, np.array([0]), damping=0.5)
    high = personalized_pagerank(matrix, np.array([0]), damping=0.95)

    assert low[0] > high[0]
