"""Assess a strategy under international, US and Mexican law, with the reasoning trace.

Verdicts are the mainstream reading (ICJ case law, the practice of most states):
``permitted``, ``contested`` (authoritative sources genuinely split) or ``prohibited``, and
``not engaged`` where no rule of a framework applies to the strategy (never shown as permitted).
Assumptions a verdict rests on (who makes the arrests in a consented capture; that ISR without
consent means overflight; whether US military personnel are on the ground) are steps of their
own with effect ``assumes``, cited to the scenario setting, not to a rule. Claims
a government makes that the mainstream rejects (the "unwilling or unable" doctrine, the 2025
US claim of an armed conflict with cartels) appear in the trace as asserted and contested
without changing the verdict. Each framework's reasoning is a small function below; the rules
it consults are data (:mod:`counterflow.legal.book`) and only count while in force on the
as-of date; the ids it may cite are declared in :mod:`counterflow.legal.cited`, which a law
folder must match. This informs analysis; it is not legal advice.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import ClassVar, Literal

from counterflow.legal.book import FRAMEWORKS, LawBook
from counterflow.legal.cited import CITED_RULES, PARAMETERS
from counterflow.scenario import Levers

__all__ = ["NOT_ADVICE", "VERDICTS", "Assessment", "Facts", "Step", "assess", "facts_of", "worst"]

Verdict = Literal["not engaged", "permitted", "contested", "prohibited"]
VERDICTS: tuple[Verdict, ...] = ("not engaged", "permitted", "contested", "prohibited")
NOT_ADVICE = "This assessment informs analysis; it is not legal advice."
Effect = Literal["permits", "contests", "prohibits", "informs", "asserted", "assumes"]


def worst(verdicts: list[Verdict] | tuple[Verdict, ...]) -> Verdict:
    """The most severe verdict (``not engaged`` for none: no rule of the framework applies)."""
    return max(verdicts, key=VERDICTS.index, default="not engaged")


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
        mexican_arrests: In captures with consent, Mexican authorities make the arrests (an
            assumption of the lever ``leadership_removal.mexican_arrests``, default true).
        us_military_on_ground: US military personnel take part on the ground (captures).
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
    mexican_arrests: bool = True
    us_military_on_ground: bool = False

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
    captures = removal is not None and removal.intensity > 0 and removal.method == "capture"
    on_ground = removal.us_military_on_ground if removal is not None else None
    return Facts(
        consent=levers.consent,
        joint_operations=joint is not None and joint.intensity > 0 and levers.consent,
        strikes=lethal or supply_strikes,
        captures=captures,
        overflights=levers.isr_coverage > 0,
        sanctioned=tuple(levers.sanctions),
        port_inspection=any(m != 1.0 for m in levers.port_inspection.values()),
        precursor_inspection=levers.precursor_inspection > 0,
        state_enforcement=any(m != 1.0 for m in levers.state_enforcement.values()),
        designated=tuple(
            sorted(o for o, day in designations.items() if day <= as_of and (o in named or acting))
        ),
        mexican_arrests=removal is None or removal.mexican_arrests,
        # Unset: a capture raid without consent is taken to be a military raid.
        us_military_on_ground=captures
        and (on_ground if on_ground is not None else not levers.consent),
    )


@dataclass(frozen=True)
class Step:
    """One step of the reasoning: a rule (or its absence on the date), the fact, the finding."""

    framework: str
    rule: str
    finding: str
    effect: Effect
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
        "assumes": None,
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
        effect: Effect,
        *,
        facts: str = "",
    ) -> bool:
        """Apply a rule if in force on the date (return whether it was); record the step."""
        if rule_id not in CITED_RULES[self.framework]:
            # A programming error, not the user's: every id cited must be declared.
            message = f"{rule_id!r} is not declared in counterflow.legal.cited ({self.framework})"
            raise KeyError(message)
        rule = self.book.rule(self.framework, rule_id, self.as_of)
        if rule is None:
            versions = self.book.versions(self.framework, rule_id)
            if versions and versions[0].effective_from > self.as_of:
                when = f"in force from {versions[0].effective_from}"
            elif versions and versions[-1].effective_to <= self.as_of:
                when = f"no longer in force (until {versions[-1].effective_to})"
            elif versions:
                when = "between two versions (no version covers this date)"
            else:
                when = "no such rule in the law book (it was built without load_law's checks)"
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

    def assume(self, name: str, finding: str, *, source: str) -> None:
        """Record an assumption the verdict rests on (a scenario setting, not a legal finding)."""
        self.steps.append(
            Step(
                self.framework,
                f"assumption: {name}",
                finding,
                "assumes",
                facts=source,
                label="an assumption of the model, not a legal finding",
                citation=f"scenario: {source}",
            )
        )

    def none_engaged(self, facts: str) -> None:
        """Record that no rule of the framework applies (the verdict is ``not engaged``)."""
        self.steps.append(
            Step(
                self.framework,
                "no rule engaged",
                "no rule of this framework applies to the strategy's levers",
                "informs",
                facts=facts,
                in_force=False,
            )
        )

    def verdict(self) -> Verdict:
        return worst(self.found)

    def number(self, parameter_id: str) -> float:
        """A legal parameter in force on the date (its declared default before it took effect)."""
        item = self.book.parameter(self.framework, parameter_id, self.as_of)
        return PARAMETERS[self.framework][parameter_id].default if item is None else item.value


def _assume_overflight(r: _Reasoning) -> None:
    r.assume(
        "overflight",
        "ISR coverage without consent is taken to mean flights over Mexican airspace, not "
        "standoff collection from outside it",
        source="levers.isr_coverage > 0 with consent = false",
    )


def _assume_arrests(r: _Reasoning) -> None:
    f = r.facts
    if f.mexican_arrests:
        r.assume(
            "mexican-arrests",
            "Mexican authorities make the arrests; US personnel support them",
            source="leadership_removal.mexican_arrests = true (the default for captures)",
        )
    else:
        r.assume(
            "us-arrests",
            "US personnel make or induce the arrests on Mexican territory",
            source="leadership_removal.mexican_arrests = false",
        )


def _assume_ground_forces(r: _Reasoning) -> None:
    f = r.facts
    if f.us_military_on_ground:
        r.assume(
            "us-military-on-ground",
            "US military personnel take part on the ground",
            source="leadership_removal.us_military_on_ground (unset: true for raids without "
            "consent)",
        )


def _armed_conflict(r: _Reasoning) -> None:
    """Which body of law governs lethal force: the armed-conflict classification, dated."""
    r.cite(
        "ihl-niac-threshold",
        "the law of armed conflict governs lethal force only in an armed conflict meeting the "
        "intensity and organization criteria",
        "informs",
        facts="strikes on Mexican territory",
    )
    r.cite(
        "rulac-mexico-niac",
        "the classified armed conflicts were between Mexico and cartels; the United States was "
        "not a party to them, so they do not make US strikes conduct of hostilities",
        "informs",
    )
    r.cite(
        "us-niac-claim-2025",
        "the US asserts an armed conflict with designated cartels; no authoritative body has "
        "found one, so the verdict does not rest on it",
        "asserted",
    )
    r.cite(
        "iccpr-extraterritorial-scope",
        "the US denies that the Covenant binds it abroad; the Human Rights Committee reads it "
        "to protect anyone within a state's power or effective control (flagged, not decided)",
        "asserted",
    )
    r.cite(
        "iccpr-6-life",
        "outside armed conflict a planned lethal strike is not strictly necessary to protect "
        "life against an imminent threat: arbitrary deprivation of life",
        "prohibits",
        facts="planned lethal strikes",
    )


def _precursors(r: _Reasoning, rule_id: str, finding: str) -> None:
    r.cite(
        rule_id,
        finding,
        "permits",
        facts="precursor inspection at Mexican seaports (on Mexican territory, by consent)",
    )


def _international(r: _Reasoning) -> None:
    f = r.facts
    if f.precursor_inspection:
        _precursors(
            r,
            "territorial-consent",
            "inspection at Mexican seaports happens on Mexican territory, by Mexican "
            "authorities with Mexico's consent",
        )
        _precursors(
            r,
            "drug-convention-12",
            "parties take measures against the diversion of precursor chemicals",
        )
    if not f.on_territory:
        if not f.precursor_inspection:
            r.none_engaged("the strategy takes no action on Mexican territory")
        return
    if f.consent:
        r.cite(
            "territorial-consent",
            "Mexico's consent precludes wrongfulness; operations pause when it is withdrawn",
            "permits",
            facts=f"consent = true; actions: {f.actions()}",
        )
        if f.captures:
            _assume_arrests(r)
        if f.strikes:
            _armed_conflict(r)
        return
    if f.captures:
        _assume_ground_forces(r)
    if f.strikes or (f.captures and f.us_military_on_ground):
        r.cite(
            "un-charter-2-4",
            "strikes or raids by military forces on Mexican territory without its consent are a "
            "use of force against its territorial integrity",
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
            "the acts are not attributable to Mexico; whether self-defence against non-state "
            "actors is lawful without attribution the Court left open (para. 147), so the "
            "argument rests on the contested claim below",
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
        r.cite(
            "drug-convention-2-3",
            "arrests on Mexican territory are functions reserved to Mexican authorities; both "
            "states are parties",
            "prohibits",
        )
        r.cite(
            "iccpr-9-liberty",
            "an abduction from another state's territory is an arbitrary arrest and detention",
            "prohibits",
        )
    if f.strikes:
        _armed_conflict(r)
    if f.overflights:
        _assume_overflight(r)
        r.cite(
            "chicago-convention-3c",
            "state aircraft (ISR drones) fly over Mexico without its authorization",
            "prohibits",
            facts="ISR flights, consent = false",
        )


def _us_sanctions(r: _Reasoning) -> None:
    f = r.facts
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
            "dealing with the designated organizations becomes a crime, which backs the sanctions",
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


def _us_war_powers(r: _Reasoning, finding: str, effect: Effect) -> None:
    hours = r.number("wpr-report-hours")
    days = r.number("wpr-clock-days")
    extra = r.number("wpr-withdrawal-days")
    r.cite(
        "war-powers-resolution",
        finding.format(hours=f"{hours:g}", days=f"{days:g}", extra=f"{extra:g}"),
        effect,
    )


def _us_captures(r: _Reasoning) -> None:
    f = r.facts
    if f.consent:
        _assume_arrests(r)
        r.cite(
            "mansfield-amendment",
            "US officers may be present and assist while Mexican officers make the arrests"
            if f.mexican_arrests
            else "US officers directly effecting arrests in Mexico meet the bar on arrests abroad",
            "informs" if f.mexican_arrests else "contests",
            facts=f"captures with consent; mexican_arrests = {str(f.mexican_arrests).lower()}",
        )
    else:
        _assume_ground_forces(r)
        r.cite(
            "ker-frisbie",
            "a US court keeps jurisdiction to try a person abducted abroad; this says nothing "
            "on whether the raid itself is lawful",
            "informs",
            facts="capture raids without consent",
        )
        r.cite(
            "olc-1989-extraterritorial-arrest",
            "the raid rests on the executive's contested claim of authority to arrest abroad "
            "in breach of international law",
            "contests",
        )
        r.cite(
            "mansfield-amendment",
            "US officers effecting arrests abroad; whether the bar reaches a unilateral raid "
            "is not settled",
            "contests",
        )
    if f.us_military_on_ground:
        _us_war_powers(
            r,
            "US forces equipped for combat entering Mexico, with or without consent: report "
            "within {hours} hours (50 U.S.C. 1543(a)(2))",
            "informs",
        )


def _us(r: _Reasoning) -> None:
    f = r.facts
    if f.sanctioned:
        _us_sanctions(r)
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
            "usc-10-124",
            "the Defense Department leads the detection and monitoring of drug transit toward "
            "the United States",
            "permits",
            facts="joint work with consent",
        )
        r.cite(
            "usc-10-284",
            "the Defense Department may support counterdrug activities of foreign law "
            "enforcement agencies on request",
            "permits",
            facts="joint work with consent",
        )
    if f.captures:
        _us_captures(r)
    if not (f.sanctioned or f.port_inspection or f.on_territory):
        r.none_engaged("no sanctions, inspection at US ports or US action abroad")
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
        _us_war_powers(
            r,
            "a campaign of strikes is hostilities: report within {hours} hours and, without "
            "authorization, end within {days} (+{extra}) days; whether strikes are "
            "'hostilities' is disputed in executive practice",
            "contests",
        )
        r.cite(
            "assassination-ban",
            "whether a targeted lethal strike on a leader is 'assassination' is disputed (the "
            "term is undefined)",
            "contests",
        )


def _mexico_lethal_force(r: _Reasoning) -> None:
    r.cite(
        "const-22-life",
        "the Constitution allows no death penalty: planned lethal targeting outside armed "
        "conflict is an execution without trial",
        "prohibits",
        facts="planned lethal strikes",
    )
    r.cite(
        "lnuf-13",
        "lethal force is lawful only as a last resort against a real, actual or imminent "
        "aggression; a planned strike is not",
        "prohibits",
    )


def _mexico_consented(r: _Reasoning) -> None:
    f = r.facts
    r.cite(
        "mexican-authorization",
        "Mexico expressly authorizes the operations and leads them",
        "permits",
        facts=f"consent = true; actions: {f.actions()}",
    )
    if f.captures:
        _assume_arrests(r)
        r.cite(
            "lsn-foreign-agents-2020",
            "foreign agents act only as accredited liaison; Mexican authorities make the "
            "arrests (Art. 71 fr. VI)"
            if f.mexican_arrests
            else "foreign agents may not make or induce detentions (Art. 71 fr. VI): lawful "
            "only if Mexican authorities make the arrests",
            "informs" if f.mexican_arrests else "contests",
        )
    else:
        r.cite(
            "lsn-foreign-agents-2020",
            "foreign agents act only as accredited and authorized, without immunity",
            "informs",
        )
    if f.us_military_on_ground:
        r.cite(
            "const-76-iii",
            "US military personnel on Mexican soil need the Senate's authorization",
            "contests",
            facts="US military on the ground, with consent",
        )
    if f.strikes:
        _mexico_lethal_force(r)


def _mexico(r: _Reasoning) -> None:
    f = r.facts
    if f.precursor_inspection:
        _precursors(
            r,
            "mexican-authorization",
            "inspection at Mexican seaports is done on Mexican territory by Mexican "
            "authorities, with Mexico's consent",
        )
    if not f.on_territory:
        if not f.precursor_inspection:
            r.none_engaged("no foreign action on Mexican territory")
        return
    if f.consent:
        _mexico_consented(r)
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
    if f.overflights:
        _assume_overflight(r)
    if f.overflights or f.strikes:
        r.cite(
            "const-42-vi",
            "foreign state aircraft in Mexican airspace without authorization violate national "
            "territory",
            "prohibits",
            facts="ISR flights or strikes, consent = false",
        )
    if f.strikes:
        _mexico_lethal_force(r)
    if f.captures:
        _assume_ground_forces(r)
        if f.us_military_on_ground:
            r.cite(
                "const-76-iii",
                "foreign troops on Mexican territory without the Senate's authorization",
                "prohibits",
            )
        r.cite(
            "lsn-foreign-agents-2020",
            "foreign agents making detentions on Mexican territory (Art. 71 fr. VI)",
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
