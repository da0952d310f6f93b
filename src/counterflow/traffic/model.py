"""The trafficking cost model: an assignment problem for one strategy (DESIGN.md, "The model").

Cost of class k = (organization o, drug d) on link a, USD per kg::

    c_a^k = transport_a + toll_a^o + v_{a,d} h_{a,d} + v_d g_a(X_a) + eta x_a^k / kappa_k

* transport: road km x ``traffic.transport_usd_per_kg_km`` (roads and the US leg to the hub);
* toll: ``traffic.toll_usd_per_kg_km`` x km x (1 - share of o in the state), each end's state
  counting half the km;
* seizure hazard on roads ``h = 1 - exp(-lambda e)``, with ``lambda e`` =
  ``traffic.road_hazard_per_km`` x km x the state's enforcement multiplier (the month's policy
  multiplies e, never the probability: Caulkins, Crawford & Reuter 1993 diminishing returns);
* at a crossing, the US inspection hazard per drug ``traffic.us_port_seizure_rate.<drug>``,
  raised to ``1 - (1 - h)^m`` by a port-inspection multiplier m on e, plus volume visibility
  ``g(X) = h_bar alpha (X / kappa)^beta`` (``kappa`` = lanes x ``traffic.port_kg_per_lane_month``,
  ``h_bar`` the mean of the drugs' hazards there), as in Dell (2015) congestion at ports only;
* the value of a kg on a link, ``v_{a,d}``, rises linearly from the origin price to the border
  price with the link's progress towards the nearest port (``prices.csv``);
* financial sanctions add ``traffic.sanctions_surcharge`` x border value per kg on the US leg of
  sanctioned organizations (Caulkins & Reuter: seizures and laundering are 10-15% of costs);
* the class-own term ``traffic.own_term`` x v_d x (x / supply of the class) keeps class flows
  unique.

The solver works in units of the border value (``c / v_d``), where the volume term is common
to all classes. Quantities meet US demand through one abstain link per origin
(:mod:`counterflow.traffic.market`, :func:`market_baseline`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace

import numpy as np
import pandas as pd
from numpy.typing import NDArray

from counterflow.assign import AssignmentProblem, ODPairs, TravelClass
from counterflow.data import Dataset
from counterflow.network import LinkCosts
from counterflow.policy import MonthPolicy
from counterflow.traffic.market import (
    PairMarket,
    SupplyState,
    capped_demand,
    pass_through,
    price_ladders,
)
from counterflow.traffic.network import DEFAULT_LANES, TraffickingNetwork

__all__ = [
    "DRUGS",
    "ClassKey",
    "StrategyWorld",
    "build_world",
    "control_shares",
    "enforcement_by_state",
    "market_baseline",
    "with_replacement",
]

DRUGS = ("fentanyl", "methamphetamine", "cocaine")
SYNTHETIC = ("fentanyl", "methamphetamine")


@dataclass(frozen=True, slots=True)
class ClassKey:
    """A class: one organization moving one drug."""

    org: str
    drug: str


@dataclass(frozen=True)
class StrategyWorld:
    """Everything one strategy's equilibrium needs, and what its flows mean.

    Attributes:
        problem: The assignment problem (costs normalized by the border value).
        classes: The class of each travel class, in order (pairs run origin -> US market).
        road_hazard: Per link, h on roads (0 elsewhere).
        port_hazard: Per drug, per link, h at crossings (0 elsewhere).
        visibility: Per link, ``alpha (X / kappa)^beta`` needs ``kappa`` and these.
        capacity_kg: Per link, kappa (kg/month) at crossings.
        q_max: Cap on a link's seizure probability.
        border_value: Per drug, v_d (USD/kg).
        border_links: Per link, whether it is a crossing (a port of entry's inspection).
        class_markets: Per class, its market terms (``None`` with fixed supply).
        supply_cap_kg: Per class and pair, what supply shocks let the origin ship (inf: no cap).
    """

    problem: AssignmentProblem
    classes: tuple[ClassKey, ...]
    road_hazard: NDArray[np.float64]
    port_hazard: dict[str, NDArray[np.float64]]
    capacity_kg: NDArray[np.float64]
    alpha: float
    beta: float
    q_max: float
    border_value: dict[str, float]
    border_links: NDArray[np.bool_]
    class_markets: tuple[PairMarket | None, ...] = ()
    supply_cap_kg: tuple[NDArray[np.float64], ...] = ()


def control_shares(dataset: Dataset) -> dict[str, dict[str, float]]:
    """Per organization, per state, its control share (``control_shares.csv``)."""
    return _shares(dataset)


def _shares(dataset: Dataset) -> dict[str, dict[str, float]]:
    table: dict[str, dict[str, float]] = {}
    frame = dataset.control_shares
    for org, state, share in zip(frame["org_id"], frame["state_code"], frame["share"], strict=True):
        table.setdefault(str(org), {})[str(state)] = float(share)
    return table


def _prices(dataset: Dataset) -> tuple[dict[str, float], dict[str, float]]:
    origin: dict[str, float] = {}
    border: dict[str, float] = {}
    frame = dataset.prices
    for drug, stage, price in zip(frame["drug"], frame["stage"], frame["usd_per_kg"], strict=True):
        if stage == "origin":
            origin[str(drug)] = float(price)
        elif stage == "border":
            border[str(drug)] = float(price)
    return origin, border


def _state_index(tnet: TraffickingNetwork) -> tuple[NDArray[np.str_], NDArray[np.intp]]:
    """The state codes at link ends and, per end (tails then heads), its code's position."""
    ends = np.concatenate([tnet.state_a, tnet.state_b])
    codes, inverse = np.unique(ends, return_inverse=True)
    return codes, inverse


def _state_mean(
    tnet: TraffickingNetwork,
    value_of_state: dict[str, float],
    default: float,
    index: tuple[NDArray[np.str_], NDArray[np.intp]] | None = None,
) -> NDArray[np.float64]:
    """Per link, the mean over its two ends of a per-state value (US side: default)."""
    codes, inverse = _state_index(tnet) if index is None else index
    values = np.array([value_of_state.get(str(code), default) for code in codes])
    a = values[inverse[: tnet.state_a.shape[0]]]
    b = values[inverse[tnet.state_a.shape[0] :]]
    mean: NDArray[np.float64] = 0.5 * (a + b)
    return mean


def _strongest_share(
    shares: dict[str, dict[str, float]], organizations: tuple[str, ...]
) -> dict[str, float]:
    """Per state, the largest control share among ``organizations`` (where joint ops bite)."""
    strongest: dict[str, float] = {}
    for org in organizations:
        for state, share in shares.get(org, {}).items():
            strongest[state] = max(strongest.get(state, 0.0), share)
    return strongest


def _road_enforcement(
    tnet: TraffickingNetwork,
    shares: dict[str, dict[str, float]],
    params: dict[str, float],
    policy: MonthPolicy,
) -> NDArray[np.float64]:
    """``lambda e`` per link on roads: base per km x state multipliers x joint operations."""
    multiplier = _state_mean(tnet, dict(policy.state_enforcement), 1.0)
    joint = policy.joint_operations
    if joint is not None:
        strongest = _strongest_share(shares, joint.organizations)
        effect = params["traffic.joint_operations_effect"] * joint.intensity
        multiplier = multiplier * (1.0 + effect * _state_mean(tnet, strongest, 0.0))
    roads = tnet.kind == "road"
    return np.where(roads, params["traffic.road_hazard_per_km"] * tnet.road_km * multiplier, 0.0)


def enforcement_by_state(
    dataset: Dataset, params: dict[str, float], policy: MonthPolicy
) -> dict[str, float]:
    """Per state, the month's multiplier of Mexican enforcement (crackdowns, for violence).

    The policy's Mexican enforcement factor times the state's ``state_enforcement`` multiplier
    times ``1 + joint_operations_effect x intensity x the largest share of a targeted
    organization`` there when joint operations act, as on the roads of :func:`build_world`.
    """
    factor = policy.mexican_enforcement_factor
    out = {
        state: factor * float(policy.state_enforcement.get(state, 1.0)) for state in dataset.states
    }
    joint = policy.joint_operations
    if joint is None:
        return out
    strongest = _strongest_share(_shares(dataset), joint.organizations)
    effect = params["traffic.joint_operations_effect"] * joint.intensity
    for state in out:
        out[state] *= 1.0 + effect * strongest.get(state, 0.0)
    return out


def _port_multiplier(tnet: TraffickingNetwork, policy: MonthPolicy) -> NDArray[np.float64]:
    """Per link, the port-inspection multiplier of e (by US port name, else field office)."""
    offices = tnet.node_table["cbp_field_office"].to_numpy()
    names = tnet.node_table["us_port_name"].to_numpy()
    out = np.ones(tnet.network.num_links)
    inspection = policy.port_inspection
    if not inspection:
        return out
    for link in np.flatnonzero(tnet.kind == "border"):
        port = tnet.crossing[link]
        office, name = offices[port], names[port]
        out[link] = inspection.get(name, inspection.get(office, 1.0))
    return out


def build_world(
    tnet: TraffickingNetwork,
    dataset: Dataset,
    params: dict[str, float],
    policy: MonthPolicy,
    supply: pd.DataFrame,
    *,
    markets: dict[ClassKey, PairMarket] | None = None,
    supply_state: SupplyState | None = None,
    market_access: dict[str, float] | None = None,
    shares: dict[str, dict[str, float]] | None = None,
    root_of: dict[str, str] | None = None,
) -> StrategyWorld:
    """Build the assignment problem of one strategy's month.

    Args:
        tnet: The trafficking graph.
        dataset: Organizations, shares and prices.
        params: Resolved parameters (:func:`counterflow.scenario.parameters.resolve_parameters`).
        policy: What the strategy's levers do this month (:mod:`counterflow.policy`): the
            enforcement multipliers (Mexican enforcement factor included), port inspection,
            the precursor cut, sanctions and the joint operations that act.
        supply: Rows ``drug, origin, org_id, kg_per_month`` (baseline shipped kg).
        markets: Per class, its status quo per pair and demand slope
            (:func:`market_baseline`, :mod:`counterflow.traffic.market`); ``None`` solves with
            fixed supply (the calibration baseline).
        supply_state: The month's supply shocks and replacement factors (default: none).
        market_access: Per CBP field office (key ``office``, all drugs) or per drug and office
            (key ``drug/office``), a calibrated cost (USD/kg) added on its hub links: what it
            costs to reach the drug's US market from that office's hub beyond the km
            (``market_access.csv``; default: the dataset's, or none).
        shares: Per organization (factions included), per state, the control share that sets
            its tolls (default: ``control_shares.csv``). Joint operations always target where
            the named designated organizations are strong in ``control_shares.csv``.
        root_of: Per faction, its designated organization: sanctions and joint operations on
            an organization reach its factions (default: each organization is its own root).
    """
    network = tnet.network
    num_links = network.num_links
    roads = tnet.kind == "road"
    borders = tnet.kind == "border"
    hubs = tnet.kind == "hub"
    origin_price, border_price = _prices(dataset)
    designated = _shares(dataset)
    shares = designated if shares is None else shares
    root_of = root_of or {}

    enforcement = _road_enforcement(tnet, designated, params, policy)
    if policy.mexican_enforcement_factor != 1.0:
        enforcement = enforcement * policy.mexican_enforcement_factor
    road_hazard = 1.0 - np.exp(-enforcement)
    multiplier = _port_multiplier(tnet, policy)
    port_hazard = {}
    for drug in DRUGS:
        rate = params[f"traffic.us_port_seizure_rate.{drug}"]
        port_hazard[drug] = np.where(borders, 1.0 - (1.0 - rate) ** multiplier, 0.0)
    mean_port_hazard = np.mean([port_hazard[d] for d in DRUGS], axis=0)

    lanes = pd.to_numeric(tnet.node_table["lanes"], errors="coerce").to_numpy()
    capacity = np.ones(num_links)
    crossing = tnet.crossing[borders]
    port_lanes = np.where(np.isfinite(lanes[crossing]), lanes[crossing], DEFAULT_LANES)
    capacity[borders] = np.maximum(port_lanes, 1.0) * params["traffic.port_kg_per_lane_month"]
    alpha, beta = params["traffic.port_alpha"], params["traffic.port_beta"]
    costs = LinkCosts(
        base=np.zeros(num_links),
        coef=np.where(borders, alpha * mean_port_hazard, 0.0),
        capacity=capacity,
        power=np.where(borders, beta, 0.0),
    )

    transport = params["traffic.transport_usd_per_kg_km"] * tnet.road_km * (roads | hubs)
    access = dataset.market_access if market_access is None else market_access
    hub_links = np.flatnonzero(hubs)
    hub_office = tnet.node_table["cbp_field_office"].to_numpy()[tnet.crossing[hub_links]]
    for link, office in zip(hub_links, hub_office, strict=True):
        transport[link] += access.get(str(office), 0.0)
    drug_access: dict[str, NDArray[np.float64]] = {}
    progress = tnet.to_border_share[network.tail]
    supply = supply[supply["kg_per_month"] > 0]
    sanctioned = policy.sanctioned
    state = supply_state or SupplyState()
    replacement = state.replacement or {}
    precursor_cut = (
        policy.precursor_cut_share
        * params["traffic.precursor_sea_dependence"]
        * state.precursor_effect
    )
    kinds = tnet.node_table["kind"].to_numpy()
    node_ids = tnet.node_table["node_id"].to_numpy()

    state_index = _state_index(tnet)
    classes: list[ClassKey] = []
    travel: list[TravelClass] = []
    class_markets: list[PairMarket | None] = []
    caps: list[NDArray[np.float64]] = []
    # Rows per (organization, drug), in sorted order, as plain arrays (pandas' groupby is slow
    # on the Arrow-backed text columns, and this runs once per world).
    grouped: dict[tuple[str, str], list[int]] = {}
    for row, group in enumerate(zip(supply["org_id"], supply["drug"], strict=True)):
        grouped.setdefault((str(group[0]), str(group[1])), []).append(row)
    row_nodes = np.array([tnet.node_index[str(o)] for o in supply["origin"]], dtype=np.int64)
    row_kg = supply["kg_per_month"].to_numpy(dtype=float)
    tolls: dict[str, NDArray[np.float64]] = {}
    for (org, drug), members in sorted(grouped.items()):
        key = ClassKey(org, drug)
        value = border_price[key.drug]
        if org not in tolls:
            tolls[org] = (
                params["traffic.toll_usd_per_kg_km"]
                * tnet.road_km
                * (1.0 - _state_mean(tnet, shares.get(org, {}), 0.0, state_index))
                * roads
            )
        value_on_link = origin_price[key.drug] + (value - origin_price[key.drug]) * progress
        fixed = transport + tolls[org] + value_on_link * road_hazard + value * port_hazard[key.drug]
        if drug not in drug_access:
            drug_access[drug] = np.array([access.get(f"{drug}/{o}", 0.0) for o in hub_office])
        fixed[hub_links] += drug_access[drug]
        if root_of.get(key.org, key.org) in sanctioned:
            fixed = fixed + hubs * params["traffic.sanctions_surcharge"] * value
        rows = np.array(members, dtype=np.int64)
        order = np.argsort(row_nodes[rows], kind="stable")
        nodes = row_nodes[rows][order]
        baseline = row_kg[rows][order]
        # Supply shocks cap what an origin can ship: precursor controls cut the synthetic
        # drugs' capacity (and raise their production cost); strikes on supply chains cut the
        # capacity standing in production zones.
        cap_kg = np.full(baseline.shape, np.inf)
        if key.drug in SYNTHETIC and precursor_cut > 0.0:
            cap_kg = baseline * (1.0 - precursor_cut)
            rise = params["market.precursor_cost_rise"] * precursor_cut * origin_price[key.drug]
            fixed = fixed + hubs * rise
        if state.strike_capacity < 1.0:
            zones = kinds[nodes] == "production_zone"
            if state.strike_zones:
                zones &= np.isin(node_ids[nodes], list(state.strike_zones))
            cap_kg = np.where(zones, np.minimum(cap_kg, baseline * state.strike_capacity), cap_kg)
        base: NDArray[np.float64] | None = None
        slope: NDArray[np.float64] | None = None
        if markets is None:
            volume = np.minimum(baseline, cap_kg)
        else:
            volume, base, slope = capped_demand(
                markets[key], replacement=replacement.get(key, 1.0), capacity_kg=cap_kg
            )
        total = float(volume.sum())
        if total <= 0.0:
            continue  # a supply shock that stops all of a class's supply leaves nothing to route
        pairs = ODPairs.from_arrays(nodes, np.full(nodes.shape, tnet.sink), volume)
        travel.append(
            TravelClass(
                name=f"{key.org}/{key.drug}",
                demand=pairs,
                fixed_cost=fixed / value,
                own_cost=params["traffic.own_term"] / max(float(baseline.sum()), 1e-9),
                abstain_base=base,
                abstain_slope=slope,
            )
        )
        classes.append(key)
        class_markets.append(None if markets is None else markets[key])
        caps.append(cap_kg)
    problem = AssignmentProblem(network=network, costs=costs, classes=tuple(travel))
    return StrategyWorld(
        problem=problem,
        classes=tuple(classes),
        road_hazard=road_hazard,
        port_hazard=port_hazard,
        capacity_kg=capacity,
        alpha=alpha,
        beta=beta,
        q_max=params["traffic.q_max"],
        border_value=border_price,
        border_links=borders,
        class_markets=tuple(class_markets),
        supply_cap_kg=tuple(caps),
    )


def with_replacement(world: StrategyWorld, replacement: Mapping[ClassKey, float]) -> StrategyWorld:
    """The same world with each class's demand scaled for replacement.

    Each class ships ``replacement`` times what it would at the status quo's loss shares
    (:mod:`counterflow.traffic.market`); only the demand terms change.
    """
    travel = []
    for k, key in enumerate(world.classes):
        old = world.problem.classes[k]
        market = world.class_markets[k] if world.class_markets else None
        if market is None:
            travel.append(old)
            continue
        volume, base, slope = capped_demand(
            market, replacement=replacement.get(key, 1.0), capacity_kg=world.supply_cap_kg[k]
        )
        if (volume > 0.0).all():  # the same pairs, already in order: only the volumes change
            demand = ODPairs(old.demand.origin, old.demand.destination, volume)
        else:
            demand = ODPairs.from_arrays(old.demand.origin, old.demand.destination, volume)
        travel.append(replace(old, demand=demand, abstain_base=base, abstain_slope=slope))
    problem = AssignmentProblem(
        network=world.problem.network, costs=world.problem.costs, classes=tuple(travel)
    )
    return replace(world, problem=problem)


def market_baseline(
    world: StrategyWorld,
    least_cost: NDArray[np.float64],
    loss_share: NDArray[np.float64],
    params: dict[str, float],
    dataset: Dataset,
) -> dict[ClassKey, PairMarket]:
    """Each class's status quo per pair and its demand slope (:mod:`~counterflow.traffic.market`).

    ``least_cost`` is the status quo's least route cost per pair (flat over classes, in units of
    the border value) and ``loss_share`` each class's share of shipped kg seized along its
    routes (:func:`counterflow.traffic.class_loss_shares`). With these terms the status quo
    reproduces the calibrated flows exactly.
    """
    ladders = price_ladders(dataset)
    additive = params["market.pass_through_additive"]
    offsets = world.problem.pair_offsets
    out = {}
    for k, key in enumerate(world.classes):
        ladder = ladders[key.drug]
        elasticity = params[f"market.demand_elasticity.{key.drug}"]
        kappa = elasticity * pass_through(ladder, additive) * ladder.border / ladder.retail
        out[key] = PairMarket(
            shipped_kg=world.problem.classes[k].demand.volume.copy(),
            least_cost=least_cost[offsets[k] : offsets[k + 1]].copy(),
            kappa=kappa,
            loss_share=float(loss_share[k]),
        )
    return out
