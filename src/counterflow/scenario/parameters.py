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
    "traffic.sanctions_surcharge": Parameter(
        0.05,
        0.02,
        0.15,
        0.0,
        0.5,
        "extra laundering cost of sanctioned proceeds, share of the border value per kg",
        "assumption: sanctions that push cartels off cheap Chinese money brokers (about 3%) "
        "back to traditional ones (10-15%) cost about 5 points (Reuters 2020; docs/market.md); "
        "seizures are charged as route hazards, so Caulkins & Reuter's 10-15% (seizures plus "
        "laundering) is not charged twice",
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
    "market.demand_elasticity.fentanyl": Parameter(
        0.3,
        0.1,
        1.0,
        0.0,
        3.0,
        "price elasticity of US demand (magnitude)",
        "assumption by analogy with heroin, no fentanyl estimate exists: OAS (2013) heroin "
        "'around -0.3'; Dave (2008), J. Urban Econ. 63(2); Saffer & Chaloupka (1999), Econ. "
        "Inquiry -0.94; dependent users favour the low end (docs/market.md)",
    ),
    "market.demand_elasticity.methamphetamine": Parameter(
        0.4,
        0.15,
        1.5,
        0.0,
        3.0,
        "price elasticity of US demand (magnitude)",
        "Cunningham & Finlay (2013/2015 working paper): 0.13-0.28 from precursor shocks as "
        "instruments; survey estimates up to 1.8-1.9 (Chalmers, Bradford & Jones 2009, NSW "
        "BOCSAR); between the causal US estimates and the survey ones (docs/market.md)",
    ),
    "market.demand_elasticity.cocaine": Parameter(
        0.5,
        0.2,
        1.2,
        0.0,
        3.0,
        "price elasticity of US demand (magnitude)",
        "OAS (2013), The Drug Problem in the Americas: 'around -0.5'; Dave (2008) and Saffer "
        "& Chaloupka (1999) lower for participation; NRC (2001) p. 43: published range -0.6 "
        "to -2.5, 'only suggestive' (docs/market.md)",
    ),
    "market.pass_through_additive": Parameter(
        0.25,
        0.0,
        0.7,
        0.0,
        1.0,
        "retail pass-through mix: 1 additive, 0 proportional markups",
        "Caulkins (1990) defines both rules; Caulkins (1994), RAND MR-317, finds price ratios "
        "between market levels constant (proportional); RAND's Controlling Cocaine (1994) "
        "assumed additive; NRC (2001) p. 161: unknown. Leans proportional (docs/market.md)",
    ),
    "market.precursor_half_life_months": Parameter(
        0.9,
        0.5,
        6.0,
        0.05,
        60.0,
        "months for a precursor control's effect to halve",
        "Dobkin & Nicosia (2009), AER 99(1): the 1995 methamphetamine price tripled (+200%) and "
        "was back within four months: down to +10% in four months is 4 / log2(20) = 0.9 months "
        "to halve; purity and admissions took up to eighteen (about 5): the range covers both",
    ),
    "market.precursor_floor": Parameter(
        0.02,
        0.0,
        0.3,
        0.0,
        1.0,
        "share of a precursor control's effect that never fades",
        "Dobkin & Nicosia (2009): price and indicators back to their old levels, so near 0; "
        "McKetin et al. (2011), Addiction 106(11): lasting effects only where no other "
        "precursor source existed, hence the range (FACTS.md 4.2b)",
    ),
    "market.precursor_cost_rise": Parameter(
        0.3,
        0.05,
        1.5,
        0.0,
        10.0,
        "production cost rise per unit of precursor cut, multiple of the origin price",
        "assumption: precursors are about 1-18% of production cost (Reuters 'Fentanyl "
        "Express', 2024; an anonymous operative, 2023, weak); a cut c raising their price "
        "about 1/(1-c) gives 0.2-0.33; the large price effects come from the capacity cut",
    ),
    "market.supply_strike_rebuild_half_life_months": Parameter(
        1.0,
        0.25,
        6.0,
        0.05,
        60.0,
        "months for destroyed production capacity to be half rebuilt",
        "assumption: raids on methamphetamine labs in Sinaloa (333 in 2015-2019) left supply "
        "and prices unaffected (Quinones 2021); Dobkin, Nicosia & Weinberg (2014): labs fell "
        "36% with no change in consumption; no measured rebuild time (docs/market.md)",
    ),
}


_CALDERON = (
    "Calderón, Robles, Díaz-Cayeros & Magaloni (2015), J. Conflict Resolution 59(8) (FACTS.md 3)"
)
_LINDO = "Lindo & Padilla-Romo (2018), J. Health Economics (NBER w21171; FACTS.md 3)"

# Organizations in time (counterflow.orgs): leadership removal and fragmentation.
PARAMETERS.update(
    {
        "orgs.removal_success_capture": Parameter(
            0.3,
            0.1,
            0.5,
            0.0,
            1.0,
            "probability that one capture attempt removes a leader, at full ISR coverage",
            "assumption: of the order of the 2009-2011 campaign, when 20 of the 37 "
            f"most-wanted were captured or killed within about 22 months ({_CALDERON})",
        ),
        "orgs.removal_success_strike": Parameter(
            0.4,
            0.2,
            0.6,
            0.0,
            1.0,
            "probability that one strike removes a leader, at full ISR coverage",
            "assumption: a strike needs no arrest, so it succeeds more often than a capture "
            "when intelligence is good; no published rate for Mexico",
        ),
        "orgs.success_without_isr": Parameter(
            0.3,
            0.1,
            0.6,
            0.0,
            1.0,
            "share of the success probability kept with no ISR coverage",
            "assumption: success = base x (w + (1 - w) x isr_coverage); intelligence is what "
            "turns attempts into removals",
        ),
        "orgs.unilateral_capture_factor": Parameter(
            0.5,
            0.2,
            0.8,
            0.0,
            1.0,
            "capture success without Mexico's consent, relative to a joint operation",
            "assumption: without Mexican forces and intelligence a capture raid succeeds less "
            "often (the 2020 National Security Law restricts foreign agents, FACTS.md 6.3)",
        ),
        "orgs.fragmentation_after_capture": Parameter(
            0.2,
            0.1,
            0.4,
            0.0,
            1.0,
            "probability that a removal by capture splits the organization",
            "assumption; direction from Phillips (2015), J. of Politics 77(2): groups fragment "
            "after removals; 4 dominant DTOs in 2006 became 9-20 (CRS R41576, FACTS.md 3)",
        ),
        "orgs.fragmentation_after_killing": Parameter(
            0.4,
            0.2,
            0.6,
            0.0,
            1.0,
            "probability that a removal by killing splits the organization",
            "assumption: higher than after a capture (Phillips 2015: only arrests, not "
            "killings, are followed by short-term drops; Dickenson 2014: killings raise "
            "violence more)",
        ),
        "orgs.faction_share": Parameter(
            0.5,
            0.3,
            0.5,
            0.01,
            0.5,
            "share of the parent's territory and supply that faction -a takes (-b the rest)",
            "assumption: an even split as the central case; uneven splits in the range",
        ),
        "orgs.contested_share": Parameter(
            0.5,
            0.2,
            0.8,
            0.0,
            1.0,
            "share of the parent's control that nobody holds while its factions fight",
            "assumption: after the split of 25 July 2024 the Sinaloa organization's home state "
            "became a war zone between factions (FACTS.md 3)",
        ),
        "orgs.contest_months": Parameter(
            12.0,
            6.0,
            24.0,
            1.0,
            600.0,
            "months a split's territory stays contested before the factions settle it",
            "assumption: the factional war that began in Sinaloa in September 2024 was still "
            "going a year later (FACTS.md 3)",
        ),
        "orgs.core_share_threshold": Parameter(
            0.35,
            0.3,
            0.6,
            0.0,
            1.0,
            "control share from which a state is an organization's core state",
            "assumption: picks each organization's home states in control_shares.csv "
            "(home 0.6 or scaled 0.386; significant presence is 0.3)",
        ),
        # Violence (counterflow.orgs.violence): homicides per state and month.
        "violence.removal_local_effect": Parameter(
            0.8,
            0.3,
            1.0,
            0.0,
            10.0,
            "relative rise of homicides in affected municipalities after a capture",
            f"{_LINDO}: +80% in the capture municipality; low end {_CALDERON}: +36.5% "
            "drug-related violence in the first 6 months",
        ),
        "violence.killing_multiplier": Parameter(
            1.5,
            1.0,
            2.5,
            1.0,
            10.0,
            "removal effects after a killing, relative to a capture",
            "assumption on the size; direction from Dickenson (2014), J. Quant. Criminology "
            "30(4): killing raises violence more than capture (FACTS.md 3)",
        ),
        "violence.removal_neighbour_effect": Parameter(
            0.3,
            0.1,
            0.5,
            0.0,
            10.0,
            "relative rise of homicides in affected municipalities of neighbouring states",
            f"{_LINDO}: +30% for about 6 months in neighbouring municipalities with the same "
            "organization",
        ),
        "violence.removal_half_life_months": Parameter(
            3.0,
            1.5,
            6.0,
            0.1,
            120.0,
            "half-life of a removal's local effect (months)",
            f"assumption: {_CALDERON} find the rise in the first 6 months; {_LINDO} report "
            "effects lasting 12 months or more (upper end)",
        ),
        "violence.neighbour_half_life_months": Parameter(
            2.0,
            1.0,
            4.0,
            0.1,
            120.0,
            "half-life of a removal's effect in neighbouring states (months)",
            f"{_LINDO}: the neighbours' rise lasts about 6 months",
        ),
        "violence.affected_municipal_share": Parameter(
            0.05,
            0.02,
            0.3,
            0.0,
            1.0,
            "share of a state's homicides in the municipalities a removal or crackdown affects",
            "assumption: the published effects are municipal (FACTS.md 3) and this scales them "
            "to states; with the defaults one capture in Sinaloa adds about 30 homicides in "
            "Sinaloa and next door, twice the state-level average of Dickenson (2014), J. "
            "Quant. Criminology 30(4): +415 deaths after 25 removals (docs/model.md, "
            "'Violence'); the range runs from that anchor to a capture in a state's largest city",
        ),
        "violence.contested_flow_effect": Parameter(
            2.5,
            1.0,
            5.0,
            0.0,
            100.0,
            "relative rise of a state's homicides per unit rise of contested kg / state kg",
            "calibrated on one case, so uncertain: Sinaloa's homicide rate rose from 21 to 33 "
            "per 100k (2023 -> 2024, INEGI; FACTS.md 3) after the organization split in July "
            "2024; with the default contested share a split raises Sinaloa's contested kg by "
            "0.155 of its flow, and 2.5 x 0.155 plus the removal effect gives about +50%; "
            "direction from Dell (2015), AER 105(6)",
        ),
        "violence.crackdown_effect": Parameter(
            0.3,
            0.0,
            0.8,
            0.0,
            100.0,
            "relative rise of homicides in affected municipalities per unit of extra "
            "enforcement (multiplier - 1)",
            "assumption on the size; direction from Dell (2015): drug-related homicides rise "
            "after crackdowns as rivals contest the incumbent's territory",
        ),
        # Civilian harm (counterflow.orgs.harm).
        "harm.civilian_deaths_per_strike": Parameter(
            1.5,
            0.5,
            3.0,
            0.0,
            1000.0,
            "expected civilian deaths per strike with no ISR coverage",
            "assumption: of the order of independent counts for US drone strikes in Pakistan "
            "(one to two civilians per strike; not verified here)",
        ),
        "harm.isr_reduction": Parameter(
            0.6,
            0.3,
            0.9,
            0.0,
            1.0,
            "share of civilian deaths avoided at full ISR coverage",
            "assumption: better intelligence lowers, but does not remove, harm to bystanders",
        ),
    }
)


_ANALOGUES = (
    "FACTS.md 7: Torkham closed 11 days after a strike killed 2 Pakistani soldiers (2010); "
    "NATO supply lines closed ~7 months after Salala killed 24 (2011-12); information sharing "
    "frozen and foreign agents curbed within ~2 months of the Oct 2020 arrest in Los Angeles"
)

# Cooperation with Mexico (counterflow.diplomacy).
PARAMETERS.update(
    {
        "diplomacy.initial_cooperation": Parameter(
            0.7,
            0.5,
            0.9,
            0.0,
            1.0,
            "cooperation index C at the start (0: none, 1: full)",
            "assumption: high but conditional in 2025 — 92 detainees transferred in about 11 "
            "months against ~65 extraditions a year before, 10,000 National Guard sent north, "
            "'collaboration and coordination, never subordination' (FACTS.md 6.3, 7.3, 7.4)",
        ),
        "diplomacy.consent_threshold": Parameter(
            0.4,
            0.3,
            0.6,
            0.0,
            1.0,
            "C below which Mexico withholds consent (consented operations pause)",
            "assumption: below it cooperation is frozen, as information sharing was after the "
            "Oct 2020 arrest (FACTS.md 7.1)",
        ),
        "diplomacy.shock_per_strike": Parameter(
            0.5,
            0.2,
            1.0,
            0.0,
            100.0,
            "severity of one unilateral strike on Mexican territory",
            "assumption calibrated by analogy: one strike cuts C by ~40% (exp(-0.5)), a few "
            f"in a month freeze cooperation ({_ANALOGUES})",
        ),
        "diplomacy.shock_per_raid": Parameter(
            0.3,
            0.1,
            0.6,
            0.0,
            100.0,
            "severity of one unilateral capture raid on Mexican territory",
            "assumption: graver than the 2020 arrest abroad that froze information sharing, "
            f"less than a lethal strike ({_ANALOGUES})",
        ),
        "diplomacy.shock_per_civilian_death": Parameter(
            0.02,
            0.01,
            0.05,
            0.0,
            100.0,
            "severity added per expected civilian death",
            f"assumption from the dose-response of the Pakistan analogues ({_ANALOGUES})",
        ),
        "diplomacy.shock_per_overflight_month": Parameter(
            0.02,
            0.0,
            0.1,
            0.0,
            100.0,
            "severity of a month of unauthorized ISR flights",
            "assumption: small; the amended Art. 40 names violations of Mexican air space "
            "(FACTS.md 6.3)",
        ),
        "diplomacy.repetition_factor": Parameter(
            0.2,
            0.0,
            0.5,
            0.0,
            10.0,
            "extra severity per earlier month with unilateral action",
            "assumption: repetition deepens the breach (DESIGN.md, 'Diplomacy')",
        ),
        "diplomacy.recovery_half_life_months": Parameter(
            4.0,
            1.0,
            8.0,
            0.1,
            600.0,
            "half-life of C's return to its initial level (months)",
            f"assumption spanning the analogues ({_ANALOGUES})",
        ),
        "diplomacy.joint_work_gain": Parameter(
            0.02,
            0.0,
            0.05,
            0.0,
            1.0,
            "rise of C per month of consented joint operations at intensity 1 (share of 1 - C)",
            "assumption: the 2025 transfers and deployments followed cooperation (FACTS.md 7.4)",
        ),
        "diplomacy.transfers_per_month": Parameter(
            8.4,
            5.0,
            12.0,
            0.0,
            1000.0,
            "detainees Mexico transfers to the US per month at the initial C",
            "FACTS.md 7.3: 92 transferred in about 11 months (Feb 2025 - Jan 2026); scales "
            "with min(1, C / C0)",
        ),
        "diplomacy.enforcement_elasticity": Parameter(
            0.5,
            0.2,
            1.0,
            0.0,
            10.0,
            "relative change of Mexican enforcement per unit change of C",
            "assumption: Mexican enforcement falls by half as much as C (FACTS.md 7.4: "
            "cooperation moved troops and transfers)",
        ),
    }
)


# The solver's budget per equilibrium solve (counterflow.model). Guards, not uncertainties:
# low = high = default, and exploration leaves them alone. A breach ends the run with an
# error naming the strategy, the month and the gap reached; it never changes a result.
# The precision of the months (solver.gap, solver.supply_step) is numerics too; `explore`
# loosens both unless the scenario sets them (counterflow.exploration.ENSEMBLE_PRECISION).
PARAMETERS.update(
    {
        "solver.gap": Parameter(
            1e-6,
            1e-6,
            1e-6,
            1e-10,
            1e-3,
            "relative gap of each month's equilibrium",
            "assumption: 1e-4 leaves about 1% flow error on the built-in network, 1e-6 moves no "
            "reported kg by more than 0.01% (docs/engine.md); the status quo's calibration is "
            "always solved to 1e-6",
        ),
        "solver.supply_step": Parameter(
            1e-3,
            1e-3,
            1e-3,
            1e-6,
            0.05,
            "share (supply states closer than this share one month's equilibrium)",
            "assumption: 0.1% of a precursor control's first effect or of production "
            "capacity, below the model's precision; a coarser step solves fewer months",
        ),
        "solver.max_iterations": Parameter(
            500.0,
            500.0,
            500.0,
            1.0,
            1e9,
            "iterations per equilibrium solve (rounded down)",
            "assumption: 15x the most any solve of the built-in scenario takes (32, the status "
            "quo from cold; warm-started months at most 23: compare --months 24 "
            "--replications 3, 252 solves)",
        ),
        "solver.max_seconds": Parameter(
            300.0,
            300.0,
            300.0,
            1e-6,
            1e6,
            "seconds per equilibrium solve",
            "assumption: 50x the slowest solve of the built-in scenario (5.4 s, the status quo "
            "from cold, on 2 busy cores; warm-started months at most 1.2 s); generous because "
            "machines differ in speed",
        ),
    }
)


RETIRED = {
    "traffic.supply_elasticity": (
        "retired with the market model: shipments now meet US demand; set "
        "market.demand_elasticity.<drug> instead"
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
            if key in RETIRED:
                problems.append((f"{table}.{key}", RETIRED[key]))
                continue
            if parameter is None:
                problems.append(
                    (
                        f"{table}.{key}",
                        "unknown parameter; see the parameter table in docs/model.md",
                    )
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
