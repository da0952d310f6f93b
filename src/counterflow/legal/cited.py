"""The rules and legal parameters the reasoning cites, declared once per framework.

:mod:`counterflow.legal.assess` may cite only the rule ids listed here (it checks each citation
against this list), and :func:`counterflow.legal.book.load_law` requires a law folder to hold
every one of them, and nothing else, in the file of its framework. So a law folder cannot
change a verdict by leaving a rule out (the reasoning would skip it): a rule is taken out of
force by dating its versions, which the trace then shows. Ids that were renamed are listed
with their new name, so that an old copy of the rules gets an error that says what to write.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CITED_RULES", "PARAMETERS", "RENAMED_RULES", "ParameterSpec"]

CITED_RULES: dict[str, frozenset[str]] = {
    "international": frozenset(
        {
            "chicago-convention-3c",
            "drug-convention-12",
            "drug-convention-2-3",
            "iccpr-6-life",
            "iccpr-9-liberty",
            "iccpr-extraterritorial-scope",
            "icj-drc-uganda-non-state",
            "icj-nicaragua-armed-attack",
            "ihl-niac-threshold",
            "lotus-enforcement-jurisdiction",
            "rulac-mexico-niac",
            "territorial-consent",
            "un-charter-2-4",
            "un-charter-51",
            "unwilling-or-unable",
            "us-niac-claim-2025",
        }
    ),
    "us": frozenset(
        {
            "article-ii-claim",
            "assassination-ban",
            "aumf-2001",
            "border-search-authority",
            "cartel-fto-designations-2025",
            "eo-12333-intelligence",
            "eo-13224",
            "eo-14059",
            "eo-14157",
            "ieepa",
            "ina-219-fto",
            "ker-frisbie",
            "kingpin-act",
            "mansfield-amendment",
            "material-support-2339b",
            "olc-1989-extraterritorial-arrest",
            "us-niac-claim-2025",
            "usc-10-124",
            "usc-10-284",
            "war-powers-resolution",
        }
    ),
    "mexico": frozenset(
        {
            "const-19-2025",
            "const-22-life",
            "const-40",
            "const-42-vi",
            "const-76-iii",
            "const-89-x",
            "lnuf-13",
            "lsn-foreign-agents-2020",
            "mexican-authorization",
        }
    ),
}

# Old id -> new id, per framework (issue 31 renamed the assassination ban, which has three
# executive orders as versions, after the order it first cited).
RENAMED_RULES: dict[str, dict[str, str]] = {
    "international": {},
    "us": {"eo-12333-2-11": "assassination-ban"},
    "mexico": {},
}


@dataclass(frozen=True, slots=True)
class ParameterSpec:
    """What a legal parameter must be: its unit, and the value used on dates it does not cover.

    Attributes:
        unit: The unit the reasoning prints after the value (the file must use the same).
        default: Used on a date before the parameter's first version (and source named).
        source: Where ``default`` comes from.
        required: Whether the reasoning reads it (then a law folder must hold it).
    """

    unit: str
    default: float
    source: str
    required: bool = True


# Every value is a positive duration: a deadline of zero or fewer hours, days or years means
# nothing, and non-finite numbers are rejected for every parameter.
PARAMETERS: dict[str, dict[str, ParameterSpec]] = {
    "international": {},
    "us": {
        "wpr-report-hours": ParameterSpec("hours", 48.0, "50 U.S.C. 1543(a)"),
        "wpr-clock-days": ParameterSpec("days", 60.0, "50 U.S.C. 1544(b)"),
        "wpr-withdrawal-days": ParameterSpec("days", 30.0, "50 U.S.C. 1544(b)"),
        # Documented in us.toml; no verdict reads it yet.
        "material-support-max-years": ParameterSpec(
            "years", 20.0, "18 U.S.C. 2339B(a)(1)", required=False
        ),
    },
    "mexico": {},
}
