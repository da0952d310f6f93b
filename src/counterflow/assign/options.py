"""How a solve runs beyond its target: one frozen, checked :class:`SolverOptions`.

:func:`~counterflow.assign.solve_equilibrium` takes the target (``gap``, ``max_iter``), the
warm start, threads and a progress callback as keywords; everything else — gradient
projection's tuning, its route store, and the time limit of a long solve in segments — is here,
with defaults that suit the TNTP networks and the model. The options are checked when they are
built, and every problem is named at once.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from counterflow.assign.frank_wolfe import check_max_seconds
from counterflow.errors import InvalidParameterError

__all__ = ["GAUSS_SEIDEL_UNTIL", "INNER_SHARE", "SolverOptions"]

# Inner sweeps continue while the restricted gap exceeds this share of the full gap's numerator
# (assumption: tuned on the TNTP networks for time to 1e-6; any value in (0, 1) converges).
INNER_SHARE = 0.25
# Gap above which an iteration builds its trees block by block between shifts (assumption:
# from the TNTP networks, where the first two or three passes gain most from it; Gauss-Seidel
# passes all the way took 1.1-1.6x the time to gap 1e-6 on the six networks of
# benchmarks/tntp.py. On the congested scale grids they pay all the way: pass 0 there).
GAUSS_SEIDEL_UNTIL = 1e-2


@dataclass(frozen=True, slots=True)
class SolverOptions:
    """Options of a solve: gradient projection's tuning, its routes, a time limit.

    The Frank–Wolfe family reads only ``max_seconds`` and ignores the rest. Results meet the
    target gap whatever the tuning; ``compact_routes`` changes no bit of them.

    Attributes:
        inner_share: Inner sweeps (route shifts without new routes) continue while the
            restricted gap exceeds this share of the full one, in (0, 1). The default suits
            networks where trees cost more than sweeps (the TNTP set); on small networks with
            many coupled classes, where sweeps are cheap and converge slowly, a tighter share
            (e.g. 0.01) is faster, above all from a warm start.
        gauss_seidel_until: Passes build their trees a few origins at a time between shifts
            (Gauss–Seidel; the gap of such a pass is an estimate) while the gap is above this,
            and at fixed costs in parallel (an exact gap) below it; a gap in [0, 1]. A pass
            whose estimate meets the target is followed by an exact one. The default suits the
            TNTP networks; on large congested networks ``0`` (Gauss–Seidel passes until the
            target) is faster: see docs/performance.md and benchmarks/results/.
        keep_paths: Return the routes as ``result.paths`` (link ids, ``int32``). With compact
            routes that is a copy four times the size of the solver's own store; ``False``
            returns none and saves it, for very large networks where only the flows are
            wanted (with ``int32`` routes the result shares the solver's store).
            ``"compact"`` returns the routes as one-byte steps (``PathFlows.compact``), sharing
            the solver's compact store: the checkpoint of a very large network.
        compact_routes: Store route steps as one-byte out-link indices (a quarter of the
            memory of ``int32`` link ids, read more slowly); ``None``: on networks of at least
            250,000 nodes.
        max_seconds: Stop once an iteration begins after this many seconds (``None``: no
            limit), as ``max_iter`` does: that iteration evaluates the flows exactly and the
            result, not converged unless it meets the gap, returns them — with gradient
            projection, with their routes: a checkpoint to warm-start from.
    """

    inner_share: float = INNER_SHARE
    gauss_seidel_until: float = GAUSS_SEIDEL_UNTIL
    keep_paths: bool | Literal["compact"] = True
    compact_routes: bool | None = None
    max_seconds: float | None = None

    def __post_init__(self) -> None:
        problems: dict[str, str] = {}
        if not 0.0 < self.inner_share < 1.0:
            problems["inner_share"] = (
                f"inner_share = {self.inner_share!r}; give a number in (0, 1) such as 0.25"
            )
        if not 0.0 <= self.gauss_seidel_until <= 1.0:  # also refuses nan
            problems["gauss_seidel_until"] = (
                f"gauss_seidel_until = {self.gauss_seidel_until!r}; give a gap in [0, 1] such "
                "as 0.01"
            )
        keep: object = self.keep_paths  # as given: the annotations are not enforced
        if not (isinstance(keep, bool) or keep == "compact"):
            problems["keep_paths"] = f"keep_paths = {keep!r}; give True, False or 'compact'"
        compact: object = self.compact_routes
        if compact is not None and not isinstance(compact, bool):
            problems["compact_routes"] = f"compact_routes = {compact!r}; give True, False or None"
        try:
            check_max_seconds(self.max_seconds)
        except InvalidParameterError as error:
            problems["max_seconds"] = error.message
        if problems:
            raise InvalidParameterError(
                "; ".join(problems.values()),
                key=next(iter(problems)) if len(problems) == 1 else "options",
            )
