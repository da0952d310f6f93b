"""Traffic-assignment engine: shortest paths, loading, gradient projection and the FW family.

The one entry point is :func:`solve_equilibrium` (its options beyond the target are one
:class:`SolverOptions`); :func:`evaluate_flows` scores any solution (ours or another solver's)
by relative gap and Beckmann objective.
"""

from counterflow.assign._routes import decode_paths
from counterflow.assign.frank_wolfe import (
    FW_ALGORITHMS,
    AssignmentResult,
    IterationRecord,
    solve_frank_wolfe,
)
from counterflow.assign.gradient_projection import solve_gradient_projection
from counterflow.assign.loading import (
    Evaluation,
    all_or_nothing,
    beckmann_objective,
    class_costs,
    evaluate_flows,
)
from counterflow.assign.options import SolverOptions
from counterflow.assign.problem import (
    AssignmentProblem,
    ClassFlows,
    ODPairs,
    PathFlows,
    TravelClass,
)
from counterflow.assign.solve import (
    ALGORITHMS,
    compile_kernels,
    single_class_problem,
    solve_equilibrium,
)

__all__ = [
    "ALGORITHMS",
    "FW_ALGORITHMS",
    "AssignmentProblem",
    "AssignmentResult",
    "ClassFlows",
    "Evaluation",
    "IterationRecord",
    "ODPairs",
    "PathFlows",
    "SolverOptions",
    "TravelClass",
    "all_or_nothing",
    "beckmann_objective",
    "class_costs",
    "compile_kernels",
    "decode_paths",
    "evaluate_flows",
    "single_class_problem",
    "solve_equilibrium",
    "solve_frank_wolfe",
    "solve_gradient_projection",
]
