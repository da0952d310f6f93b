"""What a strategy's levers do in one month: consent, cooperation factors and the record."""

from __future__ import annotations

import dataclasses
import pickle

import pytest
from hypothesis import given
from hypothesis import strategies as st

from counterflow.errors import InvalidParameterError
from counterflow.policy import JointOps, MonthPolicy, RemovalAttempts, resolve_month_policy
from counterflow.scenario import Levers

JOINT = {"organizations": ("cjng", "sinaloa"), "intensity": 1.5}
CAPTURE = {"method": "capture", "intensity": 0.5}
STRIKE = {"method": "strike", "intensity": 0.5}


def test_joint_operations_act_only_with_consent_this_month() -> None:
    levers = Levers(joint_operations=JOINT, consent=True)
    acting = resolve_month_policy(levers, consented_this_month=True)
    refused = resolve_month_policy(levers, consented_this_month=False)
    assert acting.joint_operations == JointOps(("cjng", "sinaloa"), 1.5)
    assert refused.joint_operations is None
    assert refused.paused
    assert not acting.paused


def test_joint_operations_never_act_unilaterally() -> None:
    levers = Levers(joint_operations=JOINT, consent=False)
    for consented in (True, False):
        policy = resolve_month_policy(levers, consented_this_month=consented)
        assert policy.joint_operations is None
        assert policy.unilateral
        assert not policy.paused
        assert policy.joint_work_intensity == 0.0


def test_precursor_cut_scales_with_the_cooperation_ratio() -> None:
    levers = Levers(precursor_inspection=0.4)
    full = resolve_month_policy(levers, consented_this_month=True)
    halved = resolve_month_policy(levers, consented_this_month=True, cooperation_ratio=0.5)
    assert full.precursor_cut_share == 0.4
    assert halved.precursor_cut_share == pytest.approx(0.2)


@given(lever=st.floats(0.0, 1.0), ratio=st.floats(0.0, 1.0), consented=st.booleans())
def test_precursor_cut_is_the_lever_times_the_ratio(lever, ratio, consented) -> None:
    levers = Levers(precursor_inspection=lever, consent=consented)
    policy = resolve_month_policy(levers, consented_this_month=True, cooperation_ratio=ratio)
    assert policy.precursor_cut_share == lever * ratio
    assert 0.0 <= policy.precursor_cut_share <= 1.0


def test_enforcement_multipliers_are_keyed_as_the_levers_set_them() -> None:
    levers = Levers(
        port_inspection={"San Diego": 1.5, "Otay Mesa": 2.0}, state_enforcement={"SON": 1.2}
    )
    policy = resolve_month_policy(
        levers, consented_this_month=False, mexican_enforcement_factor=0.8
    )
    assert dict(policy.port_inspection) == {"San Diego": 1.5, "Otay Mesa": 2.0}
    assert dict(policy.state_enforcement) == {"SON": 1.2}
    assert policy.mexican_enforcement_factor == 0.8


def test_sanctions_are_a_set() -> None:
    policy = resolve_month_policy(
        Levers(sanctions=("sinaloa", "cjng", "sinaloa")), consented_this_month=False
    )
    assert policy.sanctioned == frozenset({"sinaloa", "cjng"})


def test_consented_removals_pause_and_share_intelligence() -> None:
    levers = Levers(consent=True, isr_coverage=0.5, leadership_removal=CAPTURE)
    acting = resolve_month_policy(levers, consented_this_month=True, cooperation_ratio=0.7)
    refused = resolve_month_policy(levers, consented_this_month=False, cooperation_ratio=0.7)
    assert acting.removal == RemovalAttempts("capture", 0.5, 0.7)
    assert acting.joint_work_intensity == 0.5
    assert refused.removal is None
    assert refused.paused
    assert refused.joint_work_intensity == 0.0
    assert not acting.overflights
    assert not refused.overflights


def test_unilateral_removals_go_ahead_without_shared_intelligence() -> None:
    levers = Levers(consent=False, isr_coverage=0.5, leadership_removal=STRIKE)
    for consented in (True, False):
        policy = resolve_month_policy(levers, consented_this_month=consented, cooperation_ratio=0.3)
        assert policy.removal == RemovalAttempts("strike", 0.5, 1.0)
        assert policy.unilateral
        assert policy.overflights
        assert not policy.paused
        assert policy.joint_work_intensity == 0.0


def test_no_attempts_is_no_removal() -> None:
    levers = Levers(consent=True, leadership_removal={"method": "capture", "intensity": 0.0})
    policy = resolve_month_policy(levers, consented_this_month=False)
    assert policy.removal is None
    assert not policy.paused


def test_joint_work_adds_joint_operations_and_consented_removals() -> None:
    levers = Levers(consent=True, joint_operations=JOINT, leadership_removal=CAPTURE)
    policy = resolve_month_policy(levers, consented_this_month=True)
    assert policy.joint_work_intensity == 2.0


def test_the_record_is_frozen_hashable_and_picklable() -> None:
    state = {"SON": 1.2}
    levers = Levers(
        consent=True, state_enforcement=state, joint_operations=JOINT, sanctions=("cjng",)
    )
    policy = resolve_month_policy(levers, consented_this_month=True)
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.precursor_cut_share = 0.5  # type: ignore[misc]
    with pytest.raises(TypeError):
        policy.state_enforcement["SON"] = 9.0  # type: ignore[index]
    with pytest.raises(dataclasses.FrozenInstanceError):
        policy.joint_operations.intensity = 9.0  # type: ignore[union-attr,misc]
    state["SON"] = 9.0  # the record keeps its own copy
    assert policy.state_enforcement["SON"] == 1.2
    again = pickle.loads(pickle.dumps(policy))
    assert again == policy
    assert hash(again) == hash(policy)
    assert dataclasses.replace(policy, precursor_cut_share=0.1) != policy


def test_bad_factors_are_refused_with_their_names() -> None:
    with pytest.raises(InvalidParameterError, match="cooperation_ratio"):
        resolve_month_policy(Levers(), consented_this_month=True, cooperation_ratio=1.5)
    with pytest.raises(InvalidParameterError, match="mexican_enforcement_factor"):
        resolve_month_policy(Levers(), consented_this_month=True, mexican_enforcement_factor=-1.0)
    with pytest.raises(InvalidParameterError, match="port_inspection"):
        dataclasses.replace(
            resolve_month_policy(Levers(), consented_this_month=True),
            port_inspection={"Tucson": 0.0},
        )


def test_month_policy_fields_are_all_documented() -> None:
    doc = MonthPolicy.__doc__ or ""
    for field in dataclasses.fields(MonthPolicy):
        assert f"{field.name}:" in doc
