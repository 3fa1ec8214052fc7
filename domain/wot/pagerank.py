"""Personalized PageRank by power iteration over a sparse follow matrix."""

import numpy as np
import numpy.typing as npt
from scipy import sparse

FloatArray = npt.NDArray[np.float64]
IndexArray = npt.NDArray[np.int64]


def personalized_pagerank(
    follows: sparse.csr_array,
    seeds: IndexArray,
    damping: float = 0.85,
    tolerance: float = 1e-10,
    max_iterations: int = 300,
) -> FloatArray:
    """Stationary distribution of a walk that follows a random follow with probability `damping`
    and otherwise restarts at a seed chosen uniformly.

    `follows[i, j] != 0` means i follows j. A node that follows nobody (dangling) hands its whole
    weight back to the seeds, as `networkx.pagerank(personalization=...)` does. Iteration stops once
    the L1 change between two rounds falls below `tolerance`. No seeds gives all zeros.
    """
    size = follows.shape[0]
    if size == 0 or len(seeds) == 0:
        return np.zeros(size)
    follows = sparse.csr_array(follows)
    out_degree = np.asarray(follows.sum(axis=1)).ravel().astype(np.float64)
    inverse_degree = np.divide(1.0, out_degree, out=np.zeros(size), where=out_degree > 0)
    # Transposed so each round is one row-major product: x_next = walk @ x.
    walk = sparse.csr_array((sparse.diags_array(inverse_degree) @ follows).T)
    restart = np.bincount(seeds, minlength=size).astype(np.float64) / len(seeds)
    seed_nodes = np.flatnonzero(restart)
    seed_shares = restart[seed_nodes]
    dangling = np.flatnonzero(out_degree == 0)
    scores = restart.copy()
    for _ in range(max_iterations):
        previous = scores
        scores = walk @ previous
        scores *= damping
        # Restarts and dangling weight only ever land on the seeds.
        scores[seed_nodes] += (damping * previous[dangling].sum() + 1 - damping) * seed_shares
        if np.abs(scores - previous).sum() < tolerance:
            break
    return np.asarray(scores, dtype=np.float64)
