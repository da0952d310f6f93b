"""The assignment problem: a network, its shared link costs and one or more travel classes.

Cost of class k on link a (DESIGN.md, "The model"; here in the solver's normalized units)::

    c_a^k(x) = fixed_a^k + t_a(X_a) + own_k * x_a^k,      X_a = sum_k x_a^k

``t`` is the shared separable cost (:class:`~counterflow.network.LinkCosts`), ``fixed^k`` a
class-specific flow-independent cost (tolls, distance, seizure value), and ``own_k * x^k`` the
class-own term that makes the program strictly convex in class flows. Elastic pairs carry an
abstain link with increasing cost ``W(e) = abstain_base + abstain_slope * e`` for the volume
``e`` not sent (Gartner 1980, "Optimal traffic assignment with elastic demands: a review",
*Transportation Science* 14(2)). The equilibrium minimizes the Beckmann program::

    sum_a int_0^{X_a} t_a + sum_k sum_a (fixed_a^k x_a^k + own_k (x_a^k)^2 / 2)
        + sum_p (abstain_base_p e_p + abstain_slope_p e_p^2 / 2)

(Beckmann, McGuire and Winsten 1956, *Studies in the Economics of Transportation*).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from numpy.typing import NDArray

from counterflow.errors import InvalidParameterError
from counterflow.network.graph import LinkCosts, Network, frozen_array, read_only

__all__ = ["AssignmentProblem", "ClassFlows", "ODPairs", "PathFlows", "TravelClass"]

FloatArray = NDArray[np.float64]
IntArray = NDArray[np.int64]


@dataclass(frozen=True, slots=True)
class ODPairs:
    """Origin–destination pairs with positive volume, grouped by origin.

    Build with :meth:`from_arrays`, which sorts pairs by (origin, destination), merges
    duplicates and drops zero volumes. ``origins`` lists each distinct origin once and
    ``pair_start`` its slice of the pair arrays.
    """

    origin: IntArray
    destination: IntArray
    volume: FloatArray
    origins: IntArray = field(init=False)
    pair_start: IntArray = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "origin", frozen_array(self.origin, np.int64))
        object.__setattr__(self, "destination", frozen_array(self.destination, np.int64))
        object.__setattr__(self, "volume", frozen_array(self.volume, np.float64))
        starts = np.flatnonzero(np.r_[True, self.origin[1:] != self.origin[:-1]])
        if self.origin.shape[0] == 0:
            starts = np.zeros(0, dtype=np.int64)
        object.__setattr__(self, "origins", read_only(self.origin[starts].astype(np.int64)))
        object.__setattr__(
            self,
            "pair_start",
            read_only(np.r_[starts, self.origin.shape[0]].astype(np.int64)),
        )

    @classmethod
    def from_arrays(
        cls,
        origin: NDArray[np.integer],
        destination: NDArray[np.integer],
        volume: NDArray[np.floating],
    ) -> ODPairs:
        """Return pairs sorted by origin then destination, duplicates summed, zeros dropped."""
        o: IntArray = np.asarray(origin, dtype=np.int64)
        d: IntArray = np.asarray(destination, dtype=np.int64)
        v: FloatArray = np.asarray(volume, dtype=np.float64)
        if not o.shape == d.shape == v.shape or o.ndim != 1:
            raise InvalidParameterError(
                "origin, destination and volume must be 1-D arrays of one length", key="demand"
            )
        if (~np.isfinite(v)).any() or (v < 0).any():
            raise InvalidParameterError("volumes must be finite and >= 0", key="demand")
        keep = (v > 0) & (o != d)
        o, d, v = o[keep], d[keep], v[keep]
        order = np.lexsort((d, o))
        o, d, v = o[order], d[order], v[order]
        if o.shape[0] > 1:
            new = np.r_[True, (o[1:] != o[:-1]) | (d[1:] != d[:-1])]
            group = np.cumsum(new) - 1
            merged = np.zeros(int(group[-1]) + 1)
            np.add.at(merged, group, v)
            o, d, v = o[new], d[new], merged
        return cls(origin=o, destination=d, volume=v)

    @property
    def num_pairs(self) -> int:
        """Number of pairs."""
        return int(self.origin.shape[0])


@dataclass(frozen=True, slots=True)
class TravelClass:
    """One class of flow: its demand, its fixed link costs and its own-flow coefficient.

    Attributes:
        name: A label.
        demand: The class's origin–destination pairs.
        fixed_cost: Flow-independent cost per unit of flow on each link (>= 0).
        own_cost: Coefficient of the class-own term ``own_cost * x_a^k`` (>= 0).
        abstain_base, abstain_slope: Per pair, in the order of ``demand`` (sorted by origin,
            then destination), the abstain cost ``W(e) = base + slope * e``; ``None`` (the
            default) makes every pair inelastic. A pair with ``base = inf`` is inelastic too.
    """

    name: str
    demand: ODPairs
    fixed_cost: FloatArray
    own_cost: float = 0.0
    abstain_base: FloatArray | None = None
    abstain_slope: FloatArray | None = None

    def __post_init__(self) -> None:
        object.__setattr__(self, "fixed_cost", frozen_array(self.fixed_cost, np.float64))
        for name in ("abstain_base", "abstain_slope"):
            values = getattr(self, name)
            if values is not None:
                object.__setattr__(self, name, frozen_array(values, np.float64))

    @property
    def elastic(self) -> NDArray[np.bool_]:
        """Per pair, whether it has an abstain link."""
        if self.abstain_base is None:
            return np.zeros(self.demand.num_pairs, dtype=bool)
        return np.isfinite(self.abstain_base)


@dataclass(frozen=True, slots=True)
class AssignmentProblem:
    """A network, its shared link costs and the travel classes to assign (validated)."""

    network: Network
    costs: LinkCosts
    classes: tuple[TravelClass, ...]
    _pairs: tuple[FloatArray, NDArray[np.bool_], FloatArray, FloatArray] = field(
        init=False, repr=False, compare=False
    )
    _offsets: IntArray = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        num_links = self.network.num_links
        if self.costs.num_links != num_links:
            raise InvalidParameterError(
                f"{self.costs.num_links} link costs for {num_links} links", key="costs"
            )
        if not self.classes:
            raise InvalidParameterError("an assignment needs at least one class", key="classes")
        for index, travel_class in enumerate(self.classes):
            self._check_class(index, travel_class)
        counts = [c.demand.num_pairs for c in self.classes]
        object.__setattr__(
            self, "_offsets", read_only(np.r_[0, np.cumsum(counts)].astype(np.int64))
        )
        object.__setattr__(self, "_pairs", self._build_pair_arrays())

    def _check_class(self, index: int, travel_class: TravelClass) -> None:
        key = f"classes[{index}]"
        n = self.network.num_nodes
        demand = travel_class.demand
        if demand.num_pairs and (
            demand.origin.min() < 0
            or demand.destination.min() < 0
            or max(demand.origin.max(), demand.destination.max()) >= n
        ):
            raise InvalidParameterError(f"demand names a node outside 0..{n - 1}", key=key)
        fixed = travel_class.fixed_cost
        if fixed.shape != (self.network.num_links,):
            raise InvalidParameterError(
                f"fixed_cost has shape {fixed.shape}; give one value per link",
                key=f"{key}.fixed_cost",
            )
        if (~np.isfinite(fixed)).any() or (fixed < 0).any():
            raise InvalidParameterError(
                "fixed costs must be finite and >= 0 (shortest paths need non-negative costs)",
                key=f"{key}.fixed_cost",
            )
        if not np.isfinite(travel_class.own_cost) or travel_class.own_cost < 0:
            raise InvalidParameterError(
                f"own_cost = {travel_class.own_cost!r}; give a finite number >= 0",
                key=f"{key}.own_cost",
            )
        base, slope = travel_class.abstain_base, travel_class.abstain_slope
        if (base is None) != (slope is None):
            raise InvalidParameterError(
                "give both abstain_base and abstain_slope, or neither", key=f"{key}.abstain"
            )
        if base is not None and slope is not None:
            if base.shape != (demand.num_pairs,) or slope.shape != (demand.num_pairs,):
                raise InvalidParameterError(
                    "abstain_base and abstain_slope need one value per pair", key=f"{key}.abstain"
                )
            if np.isnan(base).any() or (base < 0).any():
                raise InvalidParameterError(
                    "abstain_base must be >= 0 (inf for an inelastic pair)",
                    key=f"{key}.abstain_base",
                )
            if (~np.isfinite(slope)).any() or (slope < 0).any():
                raise InvalidParameterError(
                    "abstain_slope must be finite and >= 0 (the abstain cost must not fall)",
                    key=f"{key}.abstain_slope",
                )

    @property
    def num_classes(self) -> int:
        """Number of classes."""
        return len(self.classes)

    @property
    def pair_offsets(self) -> IntArray:
        """Class ``k`` owns pairs ``pair_offsets[k] .. pair_offsets[k + 1] - 1`` of flat arrays."""
        return self._offsets

    @property
    def num_pairs(self) -> int:
        """Pairs over all classes."""
        return int(self.pair_offsets[-1])

    def flat_pair_arrays(self) -> tuple[FloatArray, NDArray[np.bool_], FloatArray, FloatArray]:
        """Return ``(volume, elastic, abstain_base, abstain_slope)`` over all classes' pairs.

        Inelastic pairs get base ``inf`` and slope 0. The arrays are read-only.
        """
        return self._pairs

    def _build_pair_arrays(self) -> tuple[FloatArray, NDArray[np.bool_], FloatArray, FloatArray]:
        volume = np.concatenate([c.demand.volume for c in self.classes])
        elastic = np.concatenate([c.elastic for c in self.classes])
        base = np.concatenate(
            [
                np.full(c.demand.num_pairs, np.inf) if c.abstain_base is None else c.abstain_base
                for c in self.classes
            ]
        )
        slope = np.concatenate(
            [
                np.zeros(c.demand.num_pairs) if c.abstain_slope is None else c.abstain_slope
                for c in self.classes
            ]
        )
        base = np.where(elastic, base, np.inf)
        slope = np.where(elastic, slope, 0.0)
        return read_only(volume), read_only(elastic), read_only(base), read_only(slope)


@dataclass(frozen=True, slots=True)
class ClassFlows:
    """Flows of a solution: per class and link, and per pair the volume that abstained.

    Attributes:
        link: Array ``(num_classes, num_links)`` of class link flows.
        abstain: Per pair over all classes (see
            :attr:`AssignmentProblem.pair_offsets`), the volume not sent; 0 for inelastic pairs.
    """

    link: FloatArray
    abstain: FloatArray

    @property
    def total(self) -> FloatArray:
        """Link flows summed over classes (in class order)."""
        total: FloatArray = np.sum(self.link, axis=0)
        return total


@dataclass(frozen=True, slots=True)
class PathFlows:
    """Routes of a solution: the stored paths of every pair and the flow on each.

    This is what the path-based solver works on and warm-starts from exactly (link flows alone
    do not say which routes carry them). Pairs are flat over classes, as in
    :attr:`AssignmentProblem.pair_offsets`; the paths of pair ``g`` are rows
    ``pair_path[g] .. pair_path[g + 1] - 1`` of the path arrays, and path ``j`` is the link
    sequence ``store[path_start[j] : path_start[j] + path_length[j]]``, origin first.

    With ``compact`` the store holds the solver's one-byte route steps instead of link ids
    (``SolverOptions(keep_paths="compact")``): each step is the index of the next link among
    its tail node's out-links (``Network.out_links``), read from the pair's origin — a quarter
    of the size of ``int32`` ids, for checkpoints of very large networks.
    :func:`~counterflow.assign.decode_paths` reads them as link ids; warm starts take
    either form.

    Attributes:
        pair_path: Per pair, its first path row (length ``num_pairs + 1``).
        path_start, path_length: Each path's offset and length in ``store``.
        path_flow: Flow on each path.
        store: Link ids of all paths (``int32``), or with ``compact`` their steps (an unsigned
            type wide enough for the largest out-degree: ``uint8`` on road networks).
        abstain: Per pair, the volume not sent (0 for inelastic pairs).
        volume: Per pair, the demand the flows were solved for.
        compact: Whether ``store`` holds route steps rather than link ids.
    """

    pair_path: IntArray
    path_start: IntArray
    path_length: IntArray
    path_flow: FloatArray
    store: NDArray[np.integer]
    abstain: FloatArray
    volume: FloatArray
    compact: bool = False

    @property
    def num_paths(self) -> int:
        """Number of stored paths."""
        return int(self.path_flow.shape[0])

    @property
    def nbytes(self) -> int:
        """Bytes held by the arrays."""
        return sum(
            int(getattr(self, name).nbytes)
            for name in (
                "pair_path",
                "path_start",
                "path_length",
                "path_flow",
                "store",
                "abstain",
                "volume",
            )
        )

    def links(self, path: int) -> NDArray[np.integer]:
        """Link ids of path ``path``, origin first (of routes that hold link ids)."""
        if self.compact:
            raise ValueError(
                "these routes hold route steps: read them with "
                "counterflow.assign.decode_paths(problem, paths)"
            )
        start = int(self.path_start[path])
        return self.store[start : start + int(self.path_length[path])]

    def take(self, pairs: IntArray, scale: FloatArray) -> PathFlows:
        """Routes for a new list of pairs: new pair ``g`` gets old pair ``pairs[g]``'s routes.

        Flows, abstained volume and volume are multiplied by ``scale[g]``; this is how a
        problem whose classes were split or regrouped warm-starts from an earlier solution.
        Compact routes keep their steps, which are read from the origin: new pair ``g`` must
        start where old pair ``pairs[g]`` did (warm starts check that every route does).
        """
        pairs = np.asarray(pairs, dtype=np.int64)
        scale = np.asarray(scale, dtype=np.float64)
        counts = self.pair_path[pairs + 1] - self.pair_path[pairs]
        pair_path = np.zeros(pairs.shape[0] + 1, dtype=np.int64)
        np.cumsum(counts, out=pair_path[1:])
        rows = np.concatenate(
            [np.arange(self.pair_path[g], self.pair_path[g + 1]) for g in pairs]
            or [np.zeros(0, dtype=np.int64)]
        ).astype(np.int64)
        lengths = self.path_length[rows]
        starts = np.zeros(rows.shape[0], dtype=np.int64)
        np.cumsum(lengths[:-1], out=starts[1:])
        store = np.concatenate(
            [
                self.store[self.path_start[j] : self.path_start[j] + self.path_length[j]]
                for j in rows
            ]
            or [np.zeros(0, dtype=self.store.dtype)]
        ).astype(self.store.dtype)
        per_path = np.repeat(scale, counts)
        return PathFlows(
            pair_path=pair_path,
            path_start=starts,
            path_length=lengths.astype(np.int64),
            path_flow=self.path_flow[rows] * per_path,
            store=store,
            abstain=self.abstain[pairs] * scale,
            volume=self.volume[pairs] * scale,
            compact=self.compact,
        )
