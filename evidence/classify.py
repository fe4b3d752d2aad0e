"""Pure classifiers of the evidence layer: text in, a slug plus what decided it out.

- `classify_outcome_domain`: the outcome domain (docs/domain.md#outcome-domain) of a registered
  or posted outcome.
- `categorize_event`: the category (docs/domain.md#adverse-event-category) of an adverse-event
  term, from the curated rules in `evidence/data/ae_categories.csv` (data, not code; see
  `evidence/data/README.md`).

The rules are explained in `evidence/README.md`.
"""

from __future__ import annotations

import csv
import functools
import re
import re._constants as re_constants
import re._parser as re_parser
from dataclasses import dataclass
from pathlib import Path

from evidence.vocab import EVENT_CATEGORIES

EVENT_RULES_PATH = Path(__file__).resolve().parent / "data" / "ae_categories.csv"
ORGAN_SYSTEM_PREFIX = "organ_system:"


# --- Outcome domains -------------------------------------------------------------------------


@dataclass(frozen=True)
class DomainLabel:
    domain: str  # one of vocab.OUTCOME_DOMAINS
    phrase: str = ""  # the text that decided it, exactly as written; "" for "other"
    source: str = ""  # "measure" (the measure or result title) | "description" | ""
    confidence: float = 0.0


# How decisive a phrase is: 3 names an instrument or a measurement (ALSFRS-R, FVC, MRI, "adverse
# events"), 2 names the concept (survival, quality of life, safety), 1 only hints (a symptom, a
# fluid, "functional"). A phrase in the measure counts one tier more than in the description.
_NAMED, _CONCEPT, _HINT = 3, 2, 1
DOMAIN_RULES: tuple[tuple[str, int, str], ...] = (
    ("function", _NAMED, r"\bals[- ]?frs(?:-?r)?\b|functional rating scale"),
    ("function", _NAMED, r"\bappel\b|\baals\b|\bapple scale\b|\bnorris\b"),
    # CAFS ranks patients by ALSFRS-R change, with death ranked worst: a function endpoint.
    ("function", _NAMED, r"\bcafs\b|combined assessment of function\w*"),
    ("function", _HINT, r"\bfunctional\w*|\bfunctionality\b"),
    ("respiratory", _NAMED, r"\b(?:fvc|svc|snip|mip|pcf)\b|vital\s+(?:forced\s+)?capacity"),
    ("respiratory", _NAMED, r"\bsniff\b|(?:inspiratory|expiratory) pressure|peak cough flow"),
    ("respiratory", _NAMED, r"spirometr\w*|ox[iy]metry|blood gas\w*"),
    ("respiratory", _CONCEPT, r"ventilat\w*|\bniv\b|respirat\w*|pulmonary|lung function"),
    # A bare tracheostomy is ambiguous: a respiratory endpoint, or half of a survival composite.
    ("respiratory", _HINT, r"trache(?:ostomy|otomy)"),
    ("survival", _NAMED, r"trache(?:ostomy|otomy)[- ]free survival"),
    ("survival", _NAMED, r"(?:death|died) or (?:trache(?:ostomy|otomy)|permanent)"),
    ("survival", _CONCEPT, r"surviv\w*|mortality|\bdeaths?\b|\bdied\b"),
    ("strength", _NAMED, r"\bmmt\b|manual muscle test\w*|\bhhd\b|dynamomet\w*|\bgrip\b"),
    ("strength", _NAMED, r"\bmvic\b|isometric\w*|\batlis\b|medical research council|\bmrc\b"),
    ("strength", _CONCEPT, r"\bstrength\b|\bforce\b|(?:muscle|muscular) (?:power|force)"),
    ("quality-of-life", _NAMED, r"\balsaq[- ]?\d*|\bsf[- ]?(?:36|12)\b|\beq[- ]?5d(?:[- ]\d+l)?"),
    ("quality-of-life", _NAMED, r"euroqol(?:[- ]5d)?|alssqol\w*"),
    ("quality-of-life", _CONCEPT, r"quality of life|\bqol\b|well[- ]being"),
    ("electrophysiology", _NAMED, r"\bmunix?\b|motor units?\b|\bcmap\b|action potentials?"),
    ("electrophysiology", _NAMED, r"\bemg\b|electromyo\w*|impedance myography|\beim\b"),
    ("electrophysiology", _NAMED, r"nerve conduction|\bncv\b|evoked potentials?|\bs?seps?\b"),
    ("electrophysiology", _NAMED, r"electroph\w*|single[- ]fib(?:er|re)|fib(?:er|re) density"),
    ("electrophysiology", _CONCEPT, r"neurophysiolog\w*"),
    ("biomarker", _NAMED, r"neurofilament\w*|\bp?nf[lh]\b|cytokines?|chemokines?|interleukin\w*"),
    ("biomarker", _NAMED, r"\bil[- ]?\d+\w*|c[- ]reactive protein|\bcrp\b|sedimentation rate"),
    ("biomarker", _NAMED, r"biomarkers?|biological markers?|gene expression|flow cytometry"),
    ("biomarker", _CONCEPT, r"\btregs?\b|t[- ]regulatory|lymphocytes?|\bp75\w*|\bgdnf\b"),
    ("biomarker", _CONCEPT, r"\bcsf\b|cerebrospinal fluid|serum|plasma|urine|markers?"),
    ("biomarker", _HINT, r"\bblood\b"),
    ("imaging", _NAMED, r"\bmri\b|magnetic resonance|\bnmr\b|\bdti\b|diffusion tensor"),
    ("imaging", _NAMED, r"\bpet\b|positron emission|\bspect\b|computed tomography|\bct\b"),
    ("imaging", _NAMED, r"ultrasound|ultrasonograph\w*|echograph\w*|imaging"),
    ("imaging", _CONCEPT, r"neuroradiolog\w*|radiolog\w*"),
    ("safety", _NAMED, r"\badverse(?: (?:events?|reactions?|effects?))?\b|\bs?aes?\b|\baesi\b"),
    ("safety", _NAMED, r"\(s\)aesi|\bsusars?\b|ctcae"),
    ("safety", _NAMED, r"toxicit\w*|tolera\w*|side[- ]effects?"),
    ("safety", _CONCEPT, r"\bsafe(?:ty)?\b|complications?|cancer cells|tumou?r formation"),
    # Trials that register single symptoms as outcomes ("fever", "vomiting") watch for harm.
    ("safety", _HINT, r"fever|pyrexia|vomiting|nausea|headaches?|ha?ematomas?|unconscious\w*"),
    ("safety", _HINT, r"infections?|bleeding|ha?emorrhag\w*"),
)
# (source, tier) -> confidence: the measure says what is measured, the description often adds
# context (the route, the population, other measures) that a phrase match cannot tell apart.
_DOMAIN_CONFIDENCE = {
    ("measure", _NAMED): 0.9,
    ("measure", _CONCEPT): 0.8,
    ("measure", _HINT): 0.6,
    ("description", _NAMED): 0.7,
    ("description", _CONCEPT): 0.6,
    ("description", _HINT): 0.4,
}
_BONUS = {"measure": 1, "description": 0}


def _needles(items) -> frozenset[str] | None:
    """Lower-case strings one of which every match of a parsed pattern contains, or None.

    Only literal runs that every match must pass through count: a run in the sequence itself,
    or one per branch of a group or alternation that the sequence requires; optional parts are
    skipped. Short needles ("ae", "il") still filter out most texts.
    """
    run, best = "", ""
    for op, arg in items:
        if op is re_constants.LITERAL:
            run += chr(arg).lower()
            best = max(best, run, key=len)
        else:
            run = ""
    if len(best) >= 3:
        return frozenset({best})
    for op, arg in items:
        if op is re_constants.SUBPATTERN:
            found = _needles(arg[-1])
            if found:
                return found
        elif op is re_constants.BRANCH:
            branches = [_needles(branch) for branch in arg[1]]
            if all(branches):
                return frozenset().union(*branches)
    return frozenset({best}) if len(best) >= 2 else None


def _pattern_needles(pattern: str) -> frozenset[str] | None:
    try:
        return _needles(re_parser.parse(pattern, re.IGNORECASE))
    except Exception:  # a private module: if it ever changes, search every text (slower, same)
        return None


# The rules by (source, tier), in decreasing rank: the first of these levels with a match holds
# the winner, so the rest (often the long description) is never searched. The needles skip a
# regex search when the text cannot match; both only save time, the result is the same as
# trying every rule on both texts.
_LEVELS = sorted(
    _DOMAIN_CONFIDENCE,
    key=lambda level: (level[1] + _BONUS[level[0]], _BONUS[level[0]]),
    reverse=True,
)
_RULES_BY_TIER = {
    tier: tuple(
        (domain, re.compile(pattern, re.IGNORECASE), _pattern_needles(pattern))
        for domain, rule_tier, pattern in DOMAIN_RULES
        if rule_tier == tier
    )
    for tier in (_NAMED, _CONCEPT, _HINT)
}


def classify_outcome_domain(measure: str, description: str = "") -> DomainLabel:
    """The outcome domain of a measure (or result title), its description helping when needed.

    Every rule is tried on both texts. The strongest match wins, a match in the measure counting
    one tier more than the same match in the description; between equals, the measure beats the
    description and the earlier phrase beats the later one (then the earlier rule). Nothing
    matched: "other".
    """
    texts = {"measure": measure or "", "description": description or ""}
    # Needles are lower-case ASCII; other text (where lower() may change lengths) is searched.
    lowered = {source: text.lower() if text.isascii() else None for source, text in texts.items()}
    for source, tier in _LEVELS:
        text, low = texts[source], lowered[source]
        if not text:
            continue
        best: tuple[str, re.Match[str]] | None = None
        for domain, regex, needles in _RULES_BY_TIER[tier]:
            if low is not None and needles is not None and not any(n in low for n in needles):
                continue
            match = regex.search(text)
            if match and (best is None or match.start() < best[1].start()):
                best = (domain, match)
        if best:
            return DomainLabel(
                domain=best[0],
                phrase=best[1].group(0),
                source=source,
                confidence=_DOMAIN_CONFIDENCE[(source, tier)],
            )
    return DomainLabel(domain="other")


# --- Adverse-event categories ----------------------------------------------------------------


@dataclass(frozen=True)
class EventRule:
    """One row of ae_categories.csv, compiled."""

    pattern: str  # as written in the CSV, with its "organ_system:" prefix if any
    category: str
    note: str
    field: str  # "term" | "organ_system"
    regex: re.Pattern[str]


@dataclass(frozen=True)
class EventCategory:
    category: str  # one of vocab.EVENT_CATEGORIES
    matched_pattern: str = ""  # the CSV pattern that decided it; "" when no rule matched


def normalise_event_text(text: str) -> str:
    """What the rules see: punctuation, hyphens and slashes as spaces, single spaces."""
    return " ".join(re.sub(r"[\W_]+", " ", text or "").split())


def load_event_rules(path: Path = EVENT_RULES_PATH) -> tuple[EventRule, ...]:
    """Read and check a rules CSV; raise ValueError naming the line of any bad row."""
    rules = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if reader.fieldnames != ["pattern", "category", "note"]:
            raise ValueError(f"{path.name}: columns must be pattern,category,note")
        for row in reader:
            pattern = (row["pattern"] or "").strip()
            if not pattern or pattern.startswith("#"):
                continue
            where = f"{path.name} line {reader.line_num}"
            category = (row["category"] or "").strip()
            if category not in EVENT_CATEGORIES:
                raise ValueError(f"{where}: unknown category {category!r}")
            field, body = "term", pattern
            if pattern.startswith(ORGAN_SYSTEM_PREFIX):
                field, body = "organ_system", pattern.removeprefix(ORGAN_SYSTEM_PREFIX).strip()
            try:
                regex = re.compile(rf"\b(?:{body})\b", re.IGNORECASE)
            except re.error as exc:
                raise ValueError(f"{where}: bad pattern {pattern!r}: {exc}") from exc
            note = (row["note"] or "").strip()
            rules.append(EventRule(pattern, category, note, field, regex))
    return tuple(rules)


@functools.cache
def default_event_rules() -> tuple[EventRule, ...]:
    return load_event_rules()


def categorize_event(
    term: str, organ_system: str = "", *, rules: tuple[EventRule, ...] | None = None
) -> EventCategory:
    """The category of an adverse-event term: the first rule that matches, else "other"."""
    texts = {"term": normalise_event_text(term), "organ_system": normalise_event_text(organ_system)}
    for rule in default_event_rules() if rules is None else rules:
        if rule.regex.search(texts[rule.field]):
            return EventCategory(category=rule.category, matched_pattern=rule.pattern)
    return EventCategory(category="other")
