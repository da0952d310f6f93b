"""Assess a strategy under international, US and Mexican law, with the reasoning trace.

Verdicts are the mainstream reading (ICJ case law, the practice of most states):
``permitted``, ``contested`` (authoritative sources genuinely split) or ``prohibited``. Claims
a government makes that the mainstream rejects (the "unwilling or unable" doctrine, the 2025
US claim of an armed conflict with cartels) appear in the trace as asserted and contested
without changing the verdict. Each framework's reasoning is a small function below; the rules
it consults are data (:mod:`counterflow.legal.book`) and only count while in force on the
as-of date. This informs analysis; it is not legal advice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import ClassVar, Literal

from counterflow.legal.book import FRAMEWORKS, LawBook
from counterflow.scenario import Levers

__all__ = ["NOT_ADVICE", "VERDICTS", "Assessment", "Facts", "Step", "assess", "facts_of", "worst"]

Verdict = Literal["permitted", "contested", "prohibited"]
VERDICTS: tuple[Verdict, ...] = ("permitted", "contested", "prohibited")
NOT_ADVICE = "This assessment informs analysis; it is not legal advice."


def worst(verdicts: list[Verdict] | tuple[Verdict, ...]) -> Verdict:
    """The most severe verdict (``permitted`` for none)."""
    return max(verdicts, key=VERDICTS.index, default="permitted")


@dataclass(frozen=True)
class Facts:
    """What a strategy does, in the terms the rules need (built from its levers).

    Attributes:
        consent: Acts on Mexican territory only with Mexico's consent.
        joint_operations: Joint operations with Mexican forces.
        strikes: Lethal strikes on Mexican territory (on leaders or on supply chains: strikes
            on production capacity are assessed as strikes).
        captures: Capture operations on Mexican territory (joint with consent, raids without).
        overflights: ISR flights over Mexico.
        sanctioned: Organizations under financial sanctions.
        port_inspection: More inspection at US ports.
        precursor_inspection: Precursor inspection at Mexican seaports.
        state_enforcement: Mexican enforcement raised in some states.
        designated: The sanctioned or targeted organizations designated FTO by the as-of date.
    """

    consent: bool = True
    joint_operations: bool = False
    strikes: bool = False
    captures: bool = False
    overflights: bool = False
    sanctioned: tuple[str, ...] = ()
    port_inspection: bool = False
    precursor_inspection: bool = False
    state_enforcement: bool = False
    designated: tuple[str, ...] = ()

    @property
    def on_territory(self) -> bool:
        """Whether anything happens on Mexican territory (ground, water or air)."""
        return self.joint_operations or self.strikes or self.captures or self.overflights

    def actions(self) -> str:
        """The actions on Mexican territory, in words."""
        names = [
            name
            for name, present in (
                ("joint operations", self.joint_operations),
                ("strikes", self.strikes),
                ("capture operations", self.captures),
                ("ISR flights", self.overflights),
            )
            if present
        ]
        return ", ".join(names) or "none"


def facts_of(levers: Levers, *, as_of: dt.date, designations: dict[str, dt.date]) -> Facts:
    """The facts of a strategy's levers on a date (``designations``: FTO date per organization)."""
    removal = levers.leadership_removal
    supply_strikes = levers.supply_strikes is not None and levers.supply_strikes.capacity_share > 0
    acting = (removal is not None and removal.intensity > 0) or supply_strikes
    joint = levers.joint_operations
    named = {*levers.sanctions, *(joint.organizations if joint is not None else ())}
    lethal = removal is not None and removal.intensity > 0 and removal.method == "strike"
    return Facts(
        consent=levers.consent,
        joint_operations=joint is not None and joint.intensity > 0 and levers.consent,
        strikes=lethal or supply_strikes,
        captures=removal is not None and removal.intensity > 0 and removal.method == "capture",
        overflights=levers.isr_coverage > 0,
        sanctioned=tuple(levers.sanctions),
        port_inspection=any(m != 1.0 for m in levers.port_inspection.values()),
        precursor_inspection=levers.precursor_inspection > 0,
        state_enforcement=any(m != 1.0 for m in levers.state_enforcement.values()),
        designated=tuple(
            sorted(o for o, day in designations.items() if day <= as_of and (o in named or acting))
        ),
    )


@dataclass(frozen=True)
class Step:
    """One step of the reasoning: a rule (or its absence on the date), the fact, the finding."""

    framework: str
    rule: str
    finding: str
    effect: Literal["permits", "contests", "prohibits", "informs", "asserted"]
    facts: str = ""
    version: int | None = None
    label: str = ""
    citation: str = ""
    in_force: bool = True
    standing: str = ""

    def as_dict(self) -> dict[str, object]:
        """The step as a JSON-ready dictionary."""
        return {
            "framework": self.framework,
            "rule": self.rule,
            "version": self.version,
            "label": self.label,
            "citation": self.citation,
            "in_force": self.in_force,
            "standing": self.standing,
            "facts": self.facts,
            "finding": self.finding,
            "effect": self.effect,
        }


@dataclass(frozen=True)
class Assessment:
    """A strategy's verdict per framework on one date, and why."""

    as_of: dt.date
    verdicts: dict[str, Verdict]
    trace: tuple[Step, ...] = field(default_factory=tuple)


class _Reasoning:
    """Collects the steps of one framework and the verdicts they imply."""

    _EFFECT: ClassVar[dict[str, Verdict | None]] = {
        "permits": "permitted",
        "contests": "contested",
        "prohibits": "prohibited",
        "informs": None,
        "asserted": None,
    }

    def __init__(self, framework: str, book: LawBook, as_of: dt.date, facts: Facts) -> None:
        self.framework = framework
        self.book = book
        self.as_of = as_of
        self.facts = facts
        self.steps: list[Step] = []
        self.found: list[Verdict] = []

    def cite(
        self,
        rule_id: str,
        finding: str,
        effect: Literal["permits", "contests", "prohibits", "informs", "asserted"],
        *,
        facts: str = "",
    ) -> bool:
        """Apply a rule if in force on the date (return whether it was); record the step."""
        rule = self.book.rule(self.framework, rule_id, self.as_of)
        if rule is None:
            versions = self.book.versions(self.framework, rule_id)
            when = (
                f"in force from {versions[0].effective_from}"
                if versions and versions[0].effective_from > self.as_of
                else "not in force"
            )
            self.steps.append(
                Step(
                    self.framework,
                    rule_id,
                    f"not applied: {when} (as of {self.as_of})",
                    "informs",
                    facts=facts,
                    in_force=False,
                    label=versions[0].label if versions else "",
                    citation=versions[0].citation if versions else "",
                )
            )
            return False
        if effect in ("permits", "prohibits") and rule.standing == "contested":
            effect = "contests"
        self.steps.append(
            Step(
                self.framework,
                rule_id,
                finding,
                effect,
                facts=facts,
                version=rule.version,
                label=rule.label,
                citation=rule.citation,
                standing=rule.standing,
            )
        )
        verdict = self._EFFECT[effect]
        if verdict is not None:
            self.found.append(verdict)
        return True

    def verdict(self) -> Verdict:
        return worst(self.found)

    def number(self, parameter_id: str, default: float) -> float:
        """A legal parameter in force on the date (``default`` if the data lack it)."""
        item = self.book.parameter(self.framework, parameter_id, self.as_of)
        return default if item is None else item.value


def _lethal_force_outside_conflict(r: _Reasoning) -> None:
    """IHL applies only in armed conflict; outside it, human rights law governs lethal force."""
    r.cite(
        "ihl-niac-threshold",
        "no armed conflict: violence between the United States and the organizations is not "
        "protracted armed violence meeting the intensity criterion",
        "informs",
        facts="strikes on Mexican territory",
    )
    r.cite(
        "us-niac-claim-2025",
        "the US asserts an armed conflict with designated cartels; the mainstream reading "
        "rejects it, so the verdict does not rest on it",
        "asserted",
    )
    r.cite(
        "iccpr-6-life",
        "outside armed conflict a planned lethal strike is not strictly necessary to protect "
        "life against an imminent threat: arbitrary deprivation of life",
        "prohibits",
        facts="planned lethal strikes",
    )


def _international(r: _Reasoning) -> None:
    f = r.facts
    if not f.on_territory:
        r.cite(
            "un-charter-2-4",
            "not engaged: the strategy takes no action on Mexican territory",
            "permits",
            facts="actions on Mexican territory: none",
        )
        return
    if f.consent:
        r.cite(
            "territorial-consent",
            "Mexico's consent precludes wrongfulness; operations pause when it is withdrawn",
            "permits",
            facts=f"consent = true; actions: {f.actions()}",
        )
        if f.strikes:
            _lethal_force_outside_conflict(r)
        return
    if f.strikes:
        r.cite(
            "un-charter-2-4",
            "strikes on Mexican territory without its consent are a use of force against its "
            "territorial integrity",
            "prohibits",
            facts=f"consent = false; actions: {f.actions()}",
        )
    if f.strikes or f.captures:
        r.cite(
            "un-charter-51",
            "self-defence needs an armed attack; none is in the facts",
            "informs",
        )
        r.cite(
            "icj-nicaragua-armed-attack",
            "drug trafficking is not an armed attack, and the organizations' acts are not "
            "attributable to Mexico",
            "informs",
        )
        r.cite(
            "icj-drc-uganda-non-state",
            "self-defence is not available against non-state actors whose acts are not "
            "attributable to the territorial state",
            "informs",
        )
        r.cite(
            "unwilling-or-unable",
            "a claim that force may be used in a state unwilling or unable to act; contested "
            "and not the mainstream reading, so it does not change the verdict",
            "asserted",
        )
    if f.captures:
        r.cite(
            "lotus-enforcement-jurisdiction",
            "capture raids exercise US enforcement power on Mexican territory without permission",
            "prohibits",
            facts="capture operations, consent = false",
        )
    if f.strikes:
        _lethal_force_outside_conflict(r)
    if f.overflights:
        r.cite(
            "chicago-convention-3c",
            "state aircraft (ISR drones) fly over Mexico without its authorization",
            "prohibits",
            facts="ISR flights, consent = false",
        )


def _us(r: _Reasoning) -> None:
    f = r.facts
    if f.sanctioned:
        r.cite(
            "eo-14157",
            "the executive order that opened the designation of cartels as FTO/SDGT",
            "informs",
            facts=f"sanctions on {', '.join(f.sanctioned)}",
        )
        designated = [o for o in f.sanctioned if o in f.designated]
        if designated:
            r.cite(
                "cartel-fto-designations-2025",
                f"{', '.join(designated)} designated FTO and SDGT",
                "informs",
                facts=f"sanctions on {', '.join(f.sanctioned)}",
            )
            r.cite("ina-219-fto", "designation allows blocking their funds", "permits")
            r.cite("eo-13224", "blocking of SDGT property", "permits")
            r.cite("ieepa", "the blocking rests on the national-emergency powers", "permits")
            r.cite(
                "material-support-2339b",
                "dealing with the designated organizations becomes a crime, which backs the "
                "sanctions",
                "informs",
            )
        else:
            r.cite(
                "kingpin-act",
                "sanctions on foreign narcotics traffickers need no terrorist designation",
                "permits",
                facts=f"sanctions on {', '.join(f.sanctioned)}; none designated FTO yet",
            )
            r.cite("eo-14059", "sanctions on persons in the global illicit drug trade", "permits")
    if f.port_inspection:
        r.cite(
            "border-search-authority",
            "inspection at US ports of entry is a border search",
            "permits",
            facts="port_inspection",
        )
    if f.overflights:
        r.cite(
            "eo-12333-intelligence",
            "foreign intelligence collection is authorized under US law (international law and "
            "Mexican law are assessed separately)",
            "permits",
            facts="ISR flights",
        )
    if f.joint_operations or (f.captures and f.consent):
        r.cite(
            "eo-12333-intelligence",
            "US agencies support Mexican-led operations with intelligence at Mexico's request",
            "permits",
            facts="joint work with consent",
        )
    if f.captures and not f.consent:
        r.cite(
            "ker-frisbie",
            "US courts keep jurisdiction over a person seized abroad; US law does not bar the "
            "raid itself",
            "permits",
            facts="capture raids without consent",
        )
    if f.strikes:
        r.cite(
            "aumf-2001",
            "no statutory authorization: the organizations are outside the 2001 AUMF",
            "informs",
            facts="lethal strikes abroad",
        )
        r.cite(
            "ina-219-fto",
            "an FTO designation does not authorize military force",
            "informs",
        )
        r.cite(
            "article-ii-claim",
            "the executive claims Article II power for limited strikes; disputed",
            "contests",
        )
        r.cite(
            "us-niac-claim-2025",
            "the executive asserts an armed conflict with designated cartels; disputed",
            "asserted",
        )
        hours = r.number("wpr-report-hours", 48.0)
        days = r.number("wpr-clock-days", 60.0)
        extra = r.number("wpr-withdrawal-days", 30.0)
        r.cite(
            "war-powers-resolution",
            f"a campaign of strikes is hostilities: report within {hours:g} hours and, without "
            f"authorization, end within {days:g} (+{extra:g}) days; whether strikes are "
            "'hostilities' is disputed in executive practice",
            "contests",
        )
        r.cite(
            "eo-12333-2-11",
            "whether a targeted lethal strike on a leader is 'assassination' is disputed (the "
            "term is undefined)",
            "contests",
        )


def _mexico(r: _Reasoning) -> None:
    f = r.facts
    if not f.on_territory:
        r.cite(
            "const-40",
            "not engaged: no foreign action on Mexican territory",
            "permits",
            facts="actions on Mexican territory: none",
        )
        return
    if f.consent:
        r.cite(
            "mexican-authorization",
            "Mexico expressly authorizes the operations and leads them",
            "permits",
            facts=f"consent = true; actions: {f.actions()}",
        )
        r.cite(
            "lsn-foreign-agents-2020",
            "foreign agents act only as accredited and authorized, without immunity",
            "informs",
        )
        if f.strikes:
            r.cite(
                "const-76-iii",
                "lethal operations by foreign forces on Mexican territory need the Senate's "
                "authorization",
                "contests",
                facts="strikes with consent",
            )
        return
    amended = r.book.rule("mexico", "const-40", r.as_of)
    if amended is not None and amended.version >= 2:
        r.cite(
            "const-40",
            "a violation of Mexican territory by land, water, sea or air, which Mexico will not "
            "accept under any circumstances",
            "prohibits",
            facts=f"consent = false; actions: {f.actions()}",
        )
        r.cite(
            "const-19-2025",
            "foreigners taking part face mandatory pretrial detention and the most severe "
            "penalties",
            "informs",
        )
    else:
        r.cite(
            "const-40",
            "the text in force has no clause on foreign intervention",
            "informs",
            facts=f"consent = false; actions: {f.actions()}",
        )
    if f.strikes or f.captures:
        r.cite(
            "const-76-iii",
            "foreign forces acting on Mexican territory without the Senate's authorization",
            "prohibits",
        )
    if f.overflights or f.captures:
        r.cite(
            "lsn-foreign-agents-2020",
            "foreign agents operating without authorization",
            "prohibits",
        )
    r.cite(
        "const-89-x",
        "the principles of non-intervention and of the proscription of force govern Mexico's "
        "response",
        "informs",
    )


_FRAMEWORK_REASONING = {"international": _international, "us": _us, "mexico": _mexico}


def assess(facts: Facts, *, as_of: dt.date, book: LawBook) -> Assessment:
    """Verdict per framework on ``as_of`` and the reasoning trace (module docstring)."""
    verdicts: dict[str, Verdict] = {}
    trace: list[Step] = []
    for framework in FRAMEWORKS:
        reasoning = _Reasoning(framework, book, as_of, facts)
        _FRAMEWORK_REASONING[framework](reasoning)
        verdicts[framework] = reasoning.verdict()
        trace.extend(reasoning.steps)
    return Assessment(as_of, verdicts, tuple(trace))
