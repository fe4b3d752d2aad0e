"""The effects and pools downloads (/evidence/effects.csv|.json, /evidence/pooled.csv|.json) and
the same rows in the API (/api/evidence/effects/, /api/evidence/pooled/).

Columns are a public contract (researchers' scripts and R read them; docs/evidence-method.md
says how to rerun a pool in metafor from the effects file alone):

- effects: one row per comparison; `pooled` is true for the one a trial contributes to the
  overall pool of its family, window and effect measure. For MD and change, `cell_value` and
  `control_value` are means and `*_sd` their SDs; for RR and RD, `*_value` are participants
  affected and `*_n` those at risk. `estimate`, `ci_low`, `ci_high` are on the natural scale
  (RR itself); `yi`, `vi` the analysis scale (log RR) and its variance, what is pooled.
- pooled: one row per pool of efficacy effects, then one per adverse-event category and
  subgroup (measure_family `adverse-events:<category>`, effect_measure `RR` for the
  Mantel–Haenszel risk ratio of controlled trials and `incidence` for the cell-therapy groups'
  pooled proportion).
"""

from __future__ import annotations

from typing import Any

from evidence.synthesis.meta import timepoint_window
from evidence.synthesis.pooling import SafetyPool
from evidence.synthesis.pools import Pool
from evidence.synthesis.registry_effects import TrialEffect

EFFECT_COLUMNS = (
    "nct_id",
    "source",
    "citation",
    "outcome_domain",
    "measure_family",
    "measure",
    "measure_type",
    "timepoint",
    "timepoint_window",
    "comparison",
    "effect_measure",
    "cell_group",
    "cell_n",
    "cell_value",
    "cell_sd",
    "control_group",
    "control_n",
    "control_value",
    "control_sd",
    "estimate",
    "ci_low",
    "ci_high",
    "yi",
    "vi",
    "favours",
    "randomized",
    "masking",
    "control_type",
    "n",
    "phases",
    "registry_analysis",
    "note",
    "pooled",
)

POOL_COLUMNS = (
    "measure_family",
    "timepoint_window",
    "subgroup",
    "k",
    "participants",
    "effect_measure",
    "method",
    "estimate",
    "ci_low",
    "ci_high",
    "tau2",
    "i2",
    "pi_low",
    "pi_high",
    "favours",
    "nct_ids",
)


def _number(value: float | None, digits: int = 6) -> float | None:
    return None if value is None else round(float(value), digits)


def effect_row(e: TrialEffect, pooled: bool = False) -> dict[str, Any]:
    """`pooled`: the effect its trial contributes to the overall pool of its family, window and
    effect measure (so a script selects a pool's rows with it alone)."""
    control = e.control
    return {
        "nct_id": e.nct_id,
        "source": e.source,
        "citation": e.citation,
        "outcome_domain": e.outcome_domain,
        "measure_family": e.measure_family,
        "measure": e.measure,
        "measure_type": e.measure_type,
        "timepoint": e.timepoint,
        "timepoint_window": timepoint_window(e.timepoint),
        "comparison": e.comparison,
        "effect_measure": e.effect_measure,
        "cell_group": e.cell.label,
        "cell_n": _number(e.cell.n),
        "cell_value": _number(e.cell.value),
        "cell_sd": _number(e.cell.sd),
        "control_group": control.label if control else "",
        "control_n": _number(control.n) if control else None,
        "control_value": _number(control.value) if control else None,
        "control_sd": _number(control.sd) if control else None,
        "estimate": _number(e.effect.estimate),
        "ci_low": _number(e.effect.ci_low),
        "ci_high": _number(e.effect.ci_high),
        "yi": _number(e.effect.yi, 8),
        "vi": _number(e.effect.vi, 8),
        "favours": e.favours,
        "randomized": e.design.randomized,
        "masking": e.design.masking,
        "control_type": e.design.control_type,
        "n": e.n,
        "phases": list(e.design.phases),
        "registry_analysis": e.registry_analysis,
        "note": e.note,
        "pooled": pooled,
    }


def pool_row(p: Pool) -> dict[str, Any]:
    return {
        "measure_family": p.measure_family,
        "timepoint_window": p.timepoint_window,
        "subgroup": p.subgroup,
        "k": p.k,
        "participants": p.participants,
        "effect_measure": p.effect_measure,
        "method": p.method,
        "estimate": _number(p.estimate),
        "ci_low": _number(p.ci_low),
        "ci_high": _number(p.ci_high),
        "tau2": _number(p.tau2),
        "i2": _number(p.i2, 3),
        "pi_low": _number(p.pi_low),
        "pi_high": _number(p.pi_high),
        "favours": p.favours,
        "nct_ids": p.nct_ids,
    }


def safety_rows(pool: SafetyPool, nct_ids: dict[int, str]) -> list[dict[str, Any]]:
    """The Mantel–Haenszel and incidence rows of one adverse-event category and subgroup."""
    family = f"adverse-events:{pool.category}"
    rows = []
    rr = pool.risk_ratio
    if rr is not None:
        trials = [t for t in pool.trials if t.controlled]
        rows.append(
            {
                "measure_family": family,
                "timepoint_window": "not-stated",
                "subgroup": pool.subgroup,
                "k": rr.k,
                "participants": sum(t.cell.at_risk + t.control.at_risk for t in trials),
                "effect_measure": "RR",
                "method": rr.method,
                "estimate": _number(rr.estimate),
                "ci_low": _number(rr.ci_low),
                "ci_high": _number(rr.ci_high),
                "tau2": None,
                "i2": None,
                "pi_low": None,
                "pi_high": None,
                "favours": _safety_favours(rr.ci_low, rr.ci_high),
                "nct_ids": sorted(nct_ids[t.trial_id] for t in trials),
            }
        )
    incidence = pool.incidence
    if incidence is not None:
        trials = [t for t in pool.trials if t.cell is not None]
        rows.append(
            {
                "measure_family": family,
                "timepoint_window": "not-stated",
                "subgroup": pool.subgroup,
                "k": incidence.k,
                "participants": sum(t.cell.at_risk for t in trials),
                "effect_measure": "incidence",
                "method": incidence.method if incidence.k > 1 else "Wilson score interval",
                "estimate": _number(incidence.estimate),
                "ci_low": _number(incidence.ci_low),
                "ci_high": _number(incidence.ci_high),
                "tau2": _number(incidence.tau2),
                "i2": _number(incidence.i2, 3),
                "pi_low": _number(incidence.pi_low),
                "pi_high": _number(incidence.pi_high),
                "favours": "not compared",
                "nct_ids": sorted(nct_ids[t.trial_id] for t in trials),
            }
        )
    return rows


def _safety_favours(low: float | None, high: float | None) -> str:
    from evidence.synthesis.families import LOWER, favours

    return favours("RR", low, high, LOWER)
