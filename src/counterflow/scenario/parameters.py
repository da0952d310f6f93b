"""Every model parameter: its default, its plausible range, its unit and where it comes from.

A scenario's ``[parameters]`` may override any key listed here and ``[uncertainties]`` may give
any of them a range for exploration; unknown keys are errors. A default either names its source
or says "assumption" and why. Ranges are what exploration samples by default.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["PARAMETERS", "Parameter", "check_parameters", "resolve_parameters"]


@dataclass(frozen=True, slots=True)
class Parameter:
    """One model parameter."""

    default: float
    low: float
    high: float
    minimum: float
    maximum: float
    unit: str
    source: str


_CR = (
    "Caulkins & Reuter (1998), via NRC (2001) p. 155: seizures plus laundering fees are "
    "10-15% of costs"
)

PARAMETERS: dict[str, Parameter] = {
    "traffic.transport_usd_per_kg_km": Parameter(
        0.5,
        0.2,
        1.5,
        0.0,
        100.0,
        "USD per kg per road km",
        "assumption: about a third of methamphetamine's origin-to-border price margin "
        "(prices.csv: 500 -> 3,000 USD/kg) spread over a 1,500 km route",
    ),
    "traffic.toll_usd_per_kg_km": Parameter(
        0.5,
        0.1,
        2.0,
        0.0,
        100.0,
        "USD per kg per km of territory not controlled",
        "assumption: 'piso' paid to the controlling group, of the order of transport costs; "
        "no public estimate",
    ),
    "traffic.road_hazard_per_km": Parameter(
        2e-5,
        5e-6,
        1e-4,
        0.0,
        0.01,
        "enforcement x lambda per road km (dimensionless)",
        "assumption: Mexican interdiction seizes about 3% on a 1,500 km route "
        "(h = 1 - exp(-lambda e), Caulkins, Crawford & Reuter 1993 diminishing returns)",
    ),
    "traffic.us_port_seizure_rate.fentanyl": Parameter(
        0.10,
        0.03,
        0.30,
        0.0,
        0.5,
        "share of kg arriving at a port seized",
        "assumption, calibrated with supply: no published fentanyl interdiction rate; "
        "CBP says most fentanyl crosses at ports in vehicles (FACTS.md 5.2)",
    ),
    "traffic.us_port_seizure_rate.methamphetamine": Parameter(
        0.10,
        0.03,
        0.30,
        0.0,
        0.5,
        "share of kg arriving at a port seized",
        "assumption, calibrated with supply: no published methamphetamine interdiction rate",
    ),
    "traffic.us_port_seizure_rate.cocaine": Parameter(
        0.021,
        0.01,
        0.08,
        0.0,
        0.5,
        "share of kg arriving at a port seized",
        "DHS Border Security Metrics Report 2021: 2019 cocaine seizure effectiveness 2.1% "
        "(FACTS.md 4.3); range up to the Coast Guard's ~8% of flow",
    ),
    "traffic.port_alpha": Parameter(
        1.0,
        0.0,
        4.0,
        0.0,
        1000.0,
        "volume visibility coefficient alpha at ports",
        "assumption: hazard doubles when a crossing carries its capacity kappa "
        "(congestion only at ports, as in Dell 2015)",
    ),
    "traffic.port_beta": Parameter(
        2.0,
        1.0,
        4.0,
        0.0,
        20.0,
        "volume visibility exponent beta at ports",
        "assumption: convex visibility; Dell (2015) estimates a congestion exponent delta",
    ),
    "traffic.port_kg_per_lane_month": Parameter(
        3000.0,
        1000.0,
        10000.0,
        1e-9,
        1e9,
        "kg per month a lane carries unseen (kappa per lane)",
        "assumption: kappa_a = lanes x this, so that a busy crossing carries about its kappa "
        "when some 100 t a month cross the border; crossings without lane counts get 4 lanes",
    ),
    "traffic.q_max": Parameter(
        0.5,
        0.3,
        0.5,
        0.0,
        0.5,
        "cap on a link's seizure probability",
        "DESIGN.md: validation keeps path hazards below 0.5",
    ),
    "traffic.own_term": Parameter(
        0.01,
        0.001,
        0.05,
        1e-9,
        1.0,
        "class-own logistics term eta (share of value)",
        "assumption: small, makes per-organization flows unique (DESIGN.md)",
    ),
    "traffic.supply_elasticity": Parameter(
        1.0,
        0.3,
        3.0,
        1e-3,
        100.0,
        "elasticity of shipped kg to route cost",
        "assumption: Caulkins & Reuter (2010) find enforcement better at preventing than "
        "shrinking markets; unit elasticity as a central case",
    ),
    "traffic.sanctions_surcharge": Parameter(
        0.125,
        0.10,
        0.15,
        0.0,
        1.0,
        "laundering surcharge, share of the border value",
        _CR,
    ),
    "traffic.joint_operations_effect": Parameter(
        1.0,
        0.5,
        2.0,
        0.0,
        100.0,
        "extra enforcement per unit intensity where targets control",
        "assumption: joint operations double enforcement in states fully controlled by a target",
    ),
    "traffic.precursor_sea_dependence": Parameter(
        0.8,
        0.5,
        1.0,
        0.0,
        1.0,
        "share of synthetic-drug precursors arriving by sea",
        "assumption: DEA NDTA 2024/2025 describe precursors shipped from China and India to "
        "Pacific container ports (FACTS.md 5.3)",
    ),
}


def check_parameters(
    values: dict[str, float], ranges: dict[str, tuple[float, float]]
) -> list[tuple[str, str]]:
    """Return ``(key path, message)`` for unknown keys and values outside their bounds."""
    problems: list[tuple[str, str]] = []
    for table, entries in (("parameters", values), ("uncertainties", ranges)):
        for key, value in entries.items():
            parameter = PARAMETERS.get(key)
            if parameter is None:
                problems.append(
                    (f"{table}.{key}", "unknown parameter; see the README's parameter table")
                )
                continue
            numbers = value if isinstance(value, tuple) else (value,)
            bounds = f"[{parameter.minimum:g}, {parameter.maximum:g}] ({parameter.unit})"
            problems.extend(
                (f"{table}.{key}", f"{number!r} is outside {bounds}")
                for number in numbers
                if not math.isfinite(number) or not parameter.minimum <= number <= parameter.maximum
            )
    return problems


def resolve_parameters(values: dict[str, float]) -> dict[str, float]:
    """Defaults overridden by the scenario's ``[parameters]``."""
    resolved = {key: parameter.default for key, parameter in PARAMETERS.items()}
    resolved.update(values)
    return resolved
