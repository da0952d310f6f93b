"""Law as code: rules and legal parameters as dated, cited data; assessments with a trace.

:func:`load_law` reads and checks the rules (:mod:`counterflow.legal.load`; the rules as data
in :mod:`counterflow.legal.book`, the ids the reasoning cites in :mod:`counterflow.legal.cited`);
:func:`assess` gives a verdict per framework — international, US, Mexico — on a date, with the
chain of rules, facts and citations (:mod:`counterflow.legal.assess`). It informs; it is not
legal advice.
"""

from counterflow.legal.assess import (
    NOT_ADVICE,
    VERDICTS,
    Assessment,
    Facts,
    Step,
    assess,
    facts_of,
    worst,
)
from counterflow.legal.book import (
    FRAMEWORKS,
    LawBook,
    LegalParameter,
    RuleVersion,
    builtin_law,
)
from counterflow.legal.load import load_law

__all__ = [
    "FRAMEWORKS",
    "NOT_ADVICE",
    "VERDICTS",
    "Assessment",
    "Facts",
    "LawBook",
    "LegalParameter",
    "RuleVersion",
    "Step",
    "assess",
    "builtin_law",
    "facts_of",
    "load_law",
    "worst",
]
