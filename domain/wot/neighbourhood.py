"""The trust neighbourhood: who is near the seeds, their follows, and their PageRank.

Built once per cache TTL from the contact lists of everyone within `max_depth - 1` hops of a
seed, then shared by every request. Nodes are indexed with the members (depth below `max_depth`)
first, then the outer ring (depth exactly `max_depth`), whose follows are not known.
"""

from collections.abc import Mapping, Sequence
from functools import cached_property

import msgspec
import numpy as np
import numpy.typing as npt
from scipy import sparse

from domain.wot.pagerank import FloatArray, personalized_pagerank

PACK_VERSION = 1


class TrustPosition(msgspec.Struct, frozen=True):
    """Where a pubkey stands relative to the seeds."""

    depth: int | None
    trust_score: float
    trusted_followers: int


class _Packed(msgspec.Struct, array_like=True):
    version: int
    seeds: tuple[str, ...]
    max_depth: int
    built_at: int
    member_count: int
    pubkeys: bytes
    depths: bytes
    indptr: bytes
    indices: bytes
    rank: bytes


class Neighbourhood:
    """An immutable snapshot of the trust neighbourhood; see docs/wot.md for the formulas."""

    def __init__(
        self,
        *,
        seeds: tuple[str, ...],
        max_depth: int,
        built_at: int,
        pubkeys: list[str],
        depths: npt.NDArray[np.int8],
        follows: sparse.csr_array,
        rank: FloatArray,
        damping: float,
    ) -> None:
        self.seeds = seeds
        self.max_depth = max_depth
        self.built_at = built_at
        self.pubkeys = pubkeys
        self.depths = depths
        self.follows = follows
        self.rank = rank
        self.damping = damping
        self.member_count = int(follows.shape[0])

    @classmethod
    def from_contacts(
        cls,
        seeds: Sequence[str],
        contacts: Mapping[str, Sequence[str]],
        *,
        max_depth: int,
        damping: float,
        built_at: int,
    ) -> "Neighbourhood":
        """Builds the snapshot from `contacts` (author -> followed pubkeys).

        `contacts` must hold the list of every node within `max_depth - 1` hops of a seed (a node
        without a list maps to nothing or is absent); lists of nodes farther out are ignored.
        """
        unique_seeds = tuple(dict.fromkeys(seeds))
        index: dict[str, int] = {}
        for pubkey in unique_seeds:
            index.setdefault(pubkey, len(index))
        rows: list[int] = []
        cols: list[int] = []
        for author, followed in contacts.items():
            author_index = index.setdefault(author, len(index))
            for pubkey in followed:
                rows.append(author_index)
                cols.append(index.setdefault(pubkey, len(index)))
        size = len(index)
        everything = sparse.csr_array(
            (
                np.ones(len(rows), dtype=np.int8),
                (np.array(rows, dtype=np.int64), np.array(cols, dtype=np.int64)),
            ),
            shape=(size, size),
        )
        everything.sum_duplicates()
        hops = _hops_from(everything, np.arange(len(unique_seeds)), max_depth)
        # Members first (by depth, then key, so the layout is deterministic), then the outer ring.
        kept = [i for i in range(size) if hops[i] <= max_depth]
        names = list(index)
        kept.sort(key=lambda i: (int(hops[i]), names[i]))
        order = np.array(kept, dtype=np.int64)
        member_count = int(np.count_nonzero(hops[order] < max_depth))
        follows = sparse.csr_array(everything[order[:member_count]][:, order])
        follows.data[:] = 1
        rank = personalized_pagerank(
            sparse.csr_array(follows[:, :member_count]),
            np.arange(len(unique_seeds), dtype=np.int64),
            damping,
        )
        return cls(
            seeds=unique_seeds,
            max_depth=max_depth,
            built_at=built_at,
            pubkeys=[names[i] for i in kept],
            depths=hops[order].astype(np.int8),
            follows=follows,
            rank=rank,
            damping=damping,
        )

    @cached_property
    def _index(self) -> dict[str, int]:
        return {pubkey: i for i, pubkey in enumerate(self.pubkeys)}

    @cached_property
    def _followers(self) -> sparse.csc_array:
        return sparse.csc_array(self.follows)

    @cached_property
    def _out_degree(self) -> npt.NDArray[np.int64]:
        degree: npt.NDArray[np.int64] = np.diff(self.follows.indptr).astype(np.int64)
        return degree

    @cached_property
    def _sorted_rank(self) -> FloatArray:
        return np.sort(self.rank)

    def is_member(self, pubkey: str) -> bool:
        position = self._index.get(pubkey)
        return position is not None and position < self.member_count

    def following(self, pubkey: str) -> list[str] | None:
        """The follows of a member as known to the snapshot; None for anyone else."""
        position = self._index.get(pubkey)
        if position is None or position >= self.member_count:
            return None
        start, end = self.follows.indptr[position], self.follows.indptr[position + 1]
        return [self.pubkeys[i] for i in self.follows.indices[start:end]]

    def member_followers(self, pubkey: str) -> list[str]:
        """The members that follow `pubkey` in the snapshot."""
        position = self._index.get(pubkey)
        if position is None:
            return []
        start, end = self._followers.indptr[position], self._followers.indptr[position + 1]
        return [self.pubkeys[i] for i in self._followers.indices[start:end]]

    def position_of(self, pubkey: str) -> TrustPosition:
        """Depth, normalized trust and number of member followers of any pubkey."""
        position = self._index.get(pubkey)
        if position is None:
            return TrustPosition(depth=None, trust_score=0.0, trusted_followers=0)
        start, end = self._followers.indptr[position], self._followers.indptr[position + 1]
        followers = self._followers.indices[start:end]
        if position < self.member_count:
            raw = float(self.rank[position])
            trust = self._share_at_or_below(raw, counted_in=True)
        else:
            # One propagation step: each member follower passes on its share of rank per follow.
            raw = self.damping * float(np.sum(self.rank[followers] / self._out_degree[followers]))
            trust = self._share_at_or_below(raw, counted_in=False)
        return TrustPosition(
            depth=int(self.depths[position]), trust_score=trust, trusted_followers=len(followers)
        )

    def _share_at_or_below(self, raw: float, *, counted_in: bool) -> float:
        """Share of the members, plus the target when it is not one, whose rank is at most `raw`."""
        if raw <= 0.0:
            return 0.0
        at_or_below = int(np.searchsorted(self._sorted_rank, raw, side="right"))
        if counted_in:
            return at_or_below / self.member_count
        return (at_or_below + 1) / (self.member_count + 1)

    def to_bytes(self) -> bytes:
        """A compact msgpack form: raw 32-byte keys and the arrays' own bytes."""
        return msgspec.msgpack.encode(
            _Packed(
                version=PACK_VERSION,
                seeds=self.seeds,
                max_depth=self.max_depth,
                built_at=self.built_at,
                member_count=self.member_count,
                pubkeys=bytes.fromhex("".join(self.pubkeys)),
                depths=self.depths.astype(np.int8).tobytes(),
                indptr=self.follows.indptr.astype(np.int64).tobytes(),
                indices=self.follows.indices.astype(np.int32).tobytes(),
                rank=self.rank.astype(np.float64).tobytes(),
            )
        )

    @classmethod
    def from_bytes(cls, data: bytes, damping: float) -> "Neighbourhood":
        packed = msgspec.msgpack.decode(data, type=_Packed)
        if packed.version != PACK_VERSION:
            raise ValueError(f"unknown neighbourhood format {packed.version}")
        raw_keys = packed.pubkeys
        pubkeys = [raw_keys[i : i + 32].hex() for i in range(0, len(raw_keys), 32)]
        indices = np.frombuffer(packed.indices, dtype=np.int32)
        follows = sparse.csr_array(
            (np.ones(len(indices), dtype=np.int8), indices, np.frombuffer(packed.indptr, dtype=np.int64)),
            shape=(packed.member_count, len(pubkeys)),
        )
        return cls(
            seeds=packed.seeds,
            max_depth=packed.max_depth,
            built_at=packed.built_at,
            pubkeys=pubkeys,
            depths=np.frombuffer(packed.depths, dtype=np.int8),
            follows=follows,
            rank=np.frombuffer(packed.rank, dtype=np.float64),
            damping=damping,
        )


def _hops_from(follows: sparse.csr_array, seeds: npt.NDArray[np.int64], max_depth: int) -> FloatArray:
    """Fewest follow hops from any seed, by breadth-first search up to `max_depth`; infinity beyond."""
    hops = np.full(follows.shape[0], np.inf)
    hops[seeds] = 0
    frontier = seeds
    for level in range(1, max_depth + 1):
        if len(frontier) == 0:
            break
        reached = np.unique(follows[frontier].indices)
        frontier = reached[np.isinf(hops[reached])]
        hops[frontier] = level
    return hops
