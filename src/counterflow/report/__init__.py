"""The HTML report: a pure function of :class:`~counterflow.model.Results` and the dataset's map.

It never imports the model's run machinery (``model.context``, ``model.run``, ``traffic``,
``assign``); an import-linter contract keeps it so, and ``counterflow report DIR`` rebuilds
the page from a saved folder without running the model. An ensemble's results
(``counterflow explore``) get their own page (:func:`build_ensemble_report`).
"""

from counterflow.report.ensemble import build_ensemble_report
from counterflow.report.html import build_report

__all__ = ["build_ensemble_report", "build_report"]
