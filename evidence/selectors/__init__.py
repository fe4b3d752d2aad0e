"""Reads for the evidence pages: each builds its page's data in a fixed number of queries.

- `trial_evidence(trial)`: the evidence sections of a trial page (templates/evidence/
  _trial_evidence.html); put its dict into the page's context.
- `evidence_overview(trials, params)`: the /evidence/ page for a set of trials.
"""

from evidence.selectors.overview import evidence_overview
from evidence.selectors.trial import trial_evidence

__all__ = ["evidence_overview", "trial_evidence"]
