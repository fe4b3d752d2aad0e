"""The summary of findings: one row per question, its numbers, and a reading made only from them.
Pure: the synthesis in, rows out.

Each efficacy question names the measure families that answer it, in order; the row uses the
first family with a pool of all trials, in the window with the most trials (then participants),
MD before RR before RD. Each safety question is an adverse-event category: the Mantel–Haenszel
risk ratio of the controlled trials, and apart the incidence with cells over every trial that
reported it (those without a control are counted separately).

The reading never says cells are better (or worse) when the 95% CI includes no effect: it then
says "higher" or "lower" and that the interval includes no difference.
"""

from __future__ import annotations

from dataclasses import dataclass

from evidence.synthesis import families
from evidence.synthesis.effects import CHANGE, MD, RD, RR, SINGLE_ARM
from evidence.synthesis.pooling import ALL as ALL_SAFETY
from evidence.synthesis.pooling import SafetyPool
from evidence.synthesis.pools import Pool

EFFICACY_QUESTIONS = (
    ("function", "Does it slow progression (function)?", ("alsfrs-r", "appel")),
    ("strength", "Does it improve strength?", ("strength",)),
    ("respiratory", "Does it preserve breathing?", ("fvc", "svc", "vital-capacity")),
    ("quality-of-life", "Does it improve quality of life?", ("alsaq-40", "sf-36")),
    ("survival", "Does it prolong survival?", ("survival", "deaths")),
)
SAFETY_QUESTIONS = (
    ("headache", "How often headache?"),
    ("fatigue", "How often fatigue?"),
    ("fever", "How often fever?"),
    ("inflammation", "How often inflammation?"),
    ("infection", "How often infection?"),
    ("allergic-reaction", "How often an allergic reaction?"),
    ("tumour", "How often a tumour?"),
    ("procedural-pain", "How often procedural pain?"),
    ("death", "How often death?"),
)
NO_DIFFERENCE = "the interval includes no difference"
SCORES = frozenset({"alsfrs-r", "appel", "alsaq-40", "sf-36"})  # MDs in points of a scale
_MEASURE_ORDER = {MD: 0, RR: 1, RD: 2}


@dataclass(frozen=True)
class SummaryRow:
    slug: str
    question: str
    kind: str  # "efficacy" | "safety"
    k: int  # controlled trials
    participants: int  # in the controlled comparisons
    effect: str  # "MD 3.31 (95% CI 1.87 to 4.75)", or "" with no controlled comparison
    basis: str  # which family, window and method
    randomized: int
    blinded: int
    single_arm: str  # the single-arm evidence, apart
    reading: str
    includes_no_effect: bool | None  # None: no controlled comparison


def _trials(k: int, randomized: int, blinded: int) -> str:
    noun = "trial" if k == 1 else "trials"
    if k and randomized == k:
        word = "randomized blinded" if blinded == k else "randomized"
        return f"{k} {word} {noun}"
    return f"{k} controlled {noun} ({randomized} randomized, {blinded} blinded)"


def _interval(low: float, high: float) -> str:
    return f"95% CI {low:.2f} to {high:.2f}"


def efficacy_reading(pool: Pool) -> str:
    """The one-line reading of a pool, from its numbers alone."""
    head = f"{_trials(pool.k, pool.randomized, pool.blinded)}, {pool.participants} participants"
    null = 1.0 if pool.effect_measure == RR else 0.0
    includes = pool.ci_low <= null <= pool.ci_high
    favours = pool.favours
    if pool.effect_measure == RR:
        size = f"risk ratio {pool.estimate:.2f} with cells vs control"
    else:
        if pool.effect_measure != MD:
            unit = "(risk difference)"
        else:
            unit = "points" if pool.measure_family in SCORES else "units"
        direction = "higher" if pool.estimate >= 0 else "lower"
        size = f"{abs(pool.estimate):.2f} {unit} {direction} with cells than control"
    if includes:
        verdict = NO_DIFFERENCE
    elif favours == families.CELL:
        verdict = "better with cells"
    elif favours == families.CONTROL:
        verdict = "worse with cells"
    else:
        verdict = "the direction of benefit of this measure is not known"
    return f"{head}: {size} ({_interval(pool.ci_low, pool.ci_high)}); {verdict}."


def _best_pool(pools: list[Pool], slugs: tuple[str, ...]) -> Pool | None:
    for slug in slugs:
        candidates = [p for p in pools if p.subgroup == "all" and p.measure_family == slug]
        if candidates:
            return max(
                candidates,
                key=lambda p: (p.k, p.participants, -_MEASURE_ORDER.get(p.effect_measure, 9)),
            )
    return None


def _single_arm(effects, slugs) -> tuple[int, int]:
    trials = {}
    for e in effects:
        if e.comparison == SINGLE_ARM and e.effect_measure == CHANGE and e.measure_family in slugs:
            trials[e.trial_id] = max(trials.get(e.trial_id, 0), e.n)
    return len(trials), sum(trials.values())


def efficacy_row(slug, question, slugs, pools, effects) -> SummaryRow:
    pool = _best_pool(pools, slugs)
    arms, arm_participants = _single_arm(effects, slugs)
    single = (
        f"{arms} single-arm trial{'s' if arms != 1 else ''}, {arm_participants} participants, "
        "report changes not compared with a control"
        if arms
        else "none"
    )
    if pool is None:
        return SummaryRow(
            slug, question, "efficacy", 0, 0, "", "", 0, 0, single,
            "No controlled comparison of these measures was posted.", None,
        )  # fmt: skip
    null = 1.0 if pool.effect_measure == RR else 0.0
    return SummaryRow(
        slug=slug,
        question=question,
        kind="efficacy",
        k=pool.k,
        participants=pool.participants,
        effect=f"{pool.effect_measure} {pool.estimate:.2f} "
        f"({_interval(pool.ci_low, pool.ci_high)})",
        basis=f"{pool.family.label}, {pool.window_label}; {pool.method}",
        randomized=pool.randomized,
        blinded=pool.blinded,
        single_arm=single,
        reading=efficacy_reading(pool),
        includes_no_effect=pool.ci_low <= null <= pool.ci_high,
    )


def safety_row(slug, question, pool: SafetyPool | None, design: dict) -> SummaryRow:
    """`design`: trial id → (randomized, blinded)."""
    if pool is None:
        return SummaryRow(
            slug, question, "safety", 0, 0, "", "", 0, 0, "none",
            "No selected trial reported it.", None,
        )  # fmt: skip
    controlled = [t for t in pool.trials if t.controlled]
    uncontrolled = [t for t in pool.trials if t.cell is not None and t.control is None]
    randomized = sum(bool(design.get(t.trial_id, (None, False))[0]) for t in controlled)
    blinded = sum(design.get(t.trial_id, (None, False))[1] for t in controlled)
    participants = sum(t.cell.at_risk + t.control.at_risk for t in controlled)
    incidence = pool.incidence
    single = "none"
    if incidence is not None:
        single = (
            f"{100 * incidence.estimate:.1f}% with cells (95% CI {100 * incidence.ci_low:.1f}% "
            f"to {100 * incidence.ci_high:.1f}%) over {incidence.k} trial"
            f"{'s' if incidence.k != 1 else ''}, {len(uncontrolled)} without a control"
        )
    rr = pool.risk_ratio
    if rr is None or rr.estimate is None:
        reason = "no controlled trial" if rr is None else "no events on one side in any trial"
        reading = f"No risk ratio ({reason})."
        if incidence is not None:
            reading += f" Incidence: {single}."
        return SummaryRow(
            slug, question, "safety", len(controlled), participants, "", "", randomized,
            blinded, single, reading, None,
        )  # fmt: skip
    includes = rr.ci_low <= 1.0 <= rr.ci_high
    if includes:
        verdict = NO_DIFFERENCE
    else:
        verdict = "more often with cells" if rr.ci_low > 1 else "less often with cells"
    head = f"{_trials(rr.k, randomized, blinded)}, {participants} participants"
    reading = (
        f"{head}: risk ratio {rr.estimate:.2f} with cells vs control "
        f"({_interval(rr.ci_low, rr.ci_high)}); {verdict}."
    )
    return SummaryRow(
        slug=slug,
        question=question,
        kind="safety",
        k=rr.k,
        participants=participants,
        effect=f"RR {rr.estimate:.2f} ({_interval(rr.ci_low, rr.ci_high)})",
        basis=rr.method,
        randomized=randomized,
        blinded=blinded,
        single_arm=single,
        reading=reading,
        includes_no_effect=includes,
    )


def summary_rows(synthesis) -> list[SummaryRow]:
    """Every question's row, efficacy first (evidence.synthesis.selectors.Synthesis in)."""
    # The effects' designs carry a curator's corrections; the trials' own cover the rest.
    design = dict(synthesis.designs)
    design.update({e.trial_id: (e.design.randomized, e.design.blinded) for e in synthesis.effects})
    rows = [
        efficacy_row(slug, question, slugs, synthesis.pools, synthesis.effects)
        for slug, question, slugs in EFFICACY_QUESTIONS
    ]
    overall = synthesis.safety.get(ALL_SAFETY, {})
    rows += [
        safety_row(slug, question, overall.get(slug), design) for slug, question in SAFETY_QUESTIONS
    ]
    return rows
