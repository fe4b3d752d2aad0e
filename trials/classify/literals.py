"""Literal fragments that every match of a regex must contain: a cheap screen before the regex.

The classifier tries ~90 phrase patterns on every sentence of every study, and almost all of them
find nothing. Checking `fragment in sentence.lower()` first (a plain substring search) skips
those regexes; it made classification about twice as fast (see bench/import_bench.py).

The fragments come from Python's own regex parser. When they cannot be derived (a construct not
handled here), `required_fragments` returns () and the caller runs the regex as before: a miss
costs speed, never a match. `exact_fragments` gives a case-sensitive regex's fragments in their
own case ("IT" rather than "it"), and `required_screen` a sharper second check that keeps every
fragment a match needs, not just one.
"""

from __future__ import annotations

import re

try:  # Python 3.11 keeps the parser under this private name; fall back to no screening.
    from re import _constants as _c
    from re import _parser
except ImportError:  # pragma: no cover - a future Python without these modules
    _parser = None
    _c = None

MIN_FRAGMENT = 2  # shorter fragments screen out too little to be worth the check


def required_fragments(regex: re.Pattern[str]) -> tuple[str, ...]:
    """Lower-case strings such that any match of `regex` contains at least one of them.

    () means "unknown: always run the regex".
    """
    if _parser is None:
        return ()
    try:
        tree = _parser.parse(regex.pattern, regex.flags)
    except Exception:  # noqa: BLE001 - any parser surprise just disables the screen
        return ()
    fragments = _sequence(list(tree))
    if not fragments or min(len(f) for f in fragments) < MIN_FRAGMENT:
        return ()
    return tuple(sorted({f.lower() for f in fragments}))


def exact_fragments(regex: re.Pattern[str]) -> tuple[str, ...]:
    """For a case-sensitive regex, strings in their own case such that any match contains one.

    () when the regex ignores case anywhere, or when `required_fragments` would say ().
    """
    if _parser is None or regex.flags & re.IGNORECASE:
        return ()
    try:
        tree = _parser.parse(regex.pattern, regex.flags)
    except Exception:  # noqa: BLE001 - any parser surprise just disables the screen
        return ()
    if _ignores_case_inside(list(tree)):
        return ()
    fragments = _sequence(list(tree))
    if not fragments or min(len(f) for f in fragments) < MIN_FRAGMENT:
        return ()
    return tuple(sorted(set(fragments)))


def _ignores_case_inside(items) -> bool:
    """Whether a parsed pattern has a group that turns IGNORECASE on, like "(?i:...)"."""
    for op, av in items:
        if op is _c.SUBPATTERN:
            if av[1] & re.IGNORECASE or _ignores_case_inside(list(av[3])):
                return True
        elif op is _c.BRANCH:
            if any(_ignores_case_inside(list(branch)) for branch in av[1]):
                return True
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
            if _ignores_case_inside(list(av[2])):
                return True
        elif op in (_c.ASSERT, _c.ASSERT_NOT, _c.ATOMIC_GROUP):
            inner = av[1] if op in (_c.ASSERT, _c.ASSERT_NOT) else av
            if _ignores_case_inside(list(inner)):
                return True
        elif op is _c.GROUPREF_EXISTS:
            return True  # not worth following: no screen
    return False


# A finer screen: alternatives, each a conjunction of clauses, each clause a disjunction of
# fragments. Any match contains, for at least one alternative, a fragment of each of its clauses.
Screen = tuple[tuple[tuple[str, ...], ...], ...]


def required_screen(regex: re.Pattern[str], *, exact: bool = False) -> Screen:
    """Where `required_fragments` keeps one clause, this keeps them all, per top-level
    alternative: "(into|to) the cerebrospinal fluid|into the CSF" needs "the" (the one clause)
    but also "spinal" and "fluid", or "csf". A second, sharper screen for the few patterns that
    pass the first.

    Lower-case (exact=False), the fragments are to be looked for in a lower-cased text that is
    ASCII: on other text, str.lower() and the regex engine disagree about a few letters ("ı",
    "ſ", "İ"), so the screen must not be used there. exact=True: in their own case, for a
    regex that never ignores case, in any text. () means "no screen: run the regex".
    """
    if _parser is None or (exact and regex.flags & re.IGNORECASE):
        return ()
    try:
        tree = _parser.parse(regex.pattern, regex.flags)
    except Exception:  # noqa: BLE001 - any parser surprise just disables the screen
        return ()
    items = list(tree)
    if exact and _ignores_case_inside(items):
        return ()
    while len(items) == 1 and items[0][0] is _c.SUBPATTERN:
        items = list(items[0][1][3])
    # Expand the first top-level branch: "\bfoo|\bbar" parses as \b then (foo|bar).
    k = next((k for k, (op, _) in enumerate(items) if op is _c.BRANCH), None)
    if k is None:
        shared, alternatives = [], [items]
    else:
        shared = _candidates(items[:k]) + _candidates(items[k + 1 :])
        alternatives = [list(branch) for branch in items[k][1][1]]
    screen = []
    for alternative in alternatives:
        clauses = {
            tuple(sorted({f if exact else f.lower() for f in clause}))
            for clause in shared + _candidates(alternative)
            if min(len(f) for f in clause) >= MIN_FRAGMENT and all(f.isascii() for f in clause)
        }
        if not clauses:
            return ()  # an alternative with nothing to look for: any text may match
        screen.append(tuple(sorted(clauses)))
    return tuple(screen)


def passes(screen: Screen, text: str) -> bool:
    """False only when the regex cannot match `text` (see required_screen for which text)."""
    if not screen:
        return True
    for clauses in screen:
        for clause in clauses:
            for fragment in clause:
                if fragment in text:
                    break
            else:
                break  # this clause has no fragment in the text: try the next alternative
        else:
            return True  # every clause of this alternative has a fragment in the text
    return False


def _sequence(items) -> tuple[str, ...]:
    """The best set of alternatives found at this level of a parsed pattern (or ())."""
    candidates = _candidates(items)
    if not candidates:
        return ()
    return max(candidates, key=lambda fragments: min(len(f) for f in fragments))


def _candidates(items) -> list[tuple[str, ...]]:
    """Every set of alternatives found at this level: any match contains one of each set."""
    candidates: list[tuple[str, ...]] = []
    run: list[str] = []

    def close_run():
        if run:
            candidates.append(("".join(run),))
            run.clear()

    for op, av in items:
        if op is _c.LITERAL:
            run.append(chr(av))
            continue
        close_run()
        if op is _c.SUBPATTERN:
            inner = _sequence(list(av[3]))
            if inner:
                candidates.append(inner)
        elif op is _c.BRANCH:
            branches = [_sequence(list(branch)) for branch in av[1]]
            if branches and all(branches):
                candidates.append(tuple(f for branch in branches for f in branch))
        elif op in (_c.MAX_REPEAT, _c.MIN_REPEAT, _c.POSSESSIVE_REPEAT):
            low, _high, inner = av
            if low >= 1:
                found = _sequence(list(inner))
                if found:
                    candidates.append(found)
        # Anything else (classes, anchors, look-arounds, backreferences) ends a literal run.
    close_run()
    return candidates


def may_match(fragments: tuple[str, ...], lowered: str) -> bool:
    """False only when no fragment occurs, i.e. the regex cannot match `lowered`'s original.

    (A plain loop: this runs for every pattern on every sentence, and a generator costs more.)
    """
    if not fragments:
        return True
    for fragment in fragments:  # noqa: SIM110 - any() over a generator is slower here
        if fragment in lowered:
            return True
    return False
