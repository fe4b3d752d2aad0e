"""The one lenient reader of registry JSON, for the trials parser and the evidence parser alike.

One behaviour for a value of the wrong shape: keep what can be kept, and record a warning for
each value that was not what the registry documents (in the parser's `warnings`, and logged):

- an object or a list of the wrong type is ignored (empty); list items that are not objects are
  skipped;
- a number where text belongs is kept as its text ("12"); anything else is left empty;
- an unknown enum value is kept as given; one too long for a code is left empty;
- a whole number, a flag or a number that cannot be read is left empty.

Text is made fit for every output once, here, at the import (the raw record keeps the original):

- control characters that XML 1.0 forbids (C0 controls other than tab, newline and carriage
  return; also lone surrogates and U+FFFE/U+FFFF, which no output can encode) become spaces: one
  `\\u000b` in a title made the changes feed a 500 for everyone;
- free text is bounded by its kind, and cut there with a warning:

  | kind | limit | for |
  |---|---|---|
  | `LONG_TEXT` | 100,000 characters | summaries, descriptions, eligibility, citations, notes |
  | `TITLE` | 1,000 | titles, arm and intervention names, conditions, keywords, terms |
  | `NAME` | 300 | organisations, sponsors, officials, facilities (their columns' width) |
  | `SHORT_TEXT` | 100 | acronyms, cities, states, countries (a country is a facet value) |
  | `ID` | 20 | a results group's id ("OG000") |
  | `CODE` | 20 unless given | enum values (a code cut short would be a wrong code: left empty) |

  The registry's own limits are far below these (a brief title has 300 characters, a detailed
  description 32,000): a value over them is a broken or hostile record, kept readable and bounded.
"""

from __future__ import annotations

import logging
import re
from typing import Any

TITLE = 1_000
LONG_TEXT = 100_000
NAME = 300
SHORT_TEXT = 100
ID = 20
CODE = 20

# What XML 1.0 cannot carry (and what no UTF-8 output can encode: lone surrogates).
_UNCARRIABLE_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


class LenientReader:
    """Reads the values of one record and collects its warnings.

    Every accessor takes the parent object, the key and `where` (the parent's path in the record,
    for the warning), and never raises on the record's content.
    """

    def __init__(self, nct_id: str, logger: logging.Logger):
        self.nct_id = nct_id
        self.warnings: list[str] = []
        self._logger = logger

    def warn(self, message: str) -> None:
        self.warnings.append(message)
        self._logger.warning("%s: %s", self.nct_id or "(no NCT id)", message)

    def obj(self, parent: dict[str, Any], key: str, where: str) -> dict[str, Any]:
        value = parent.get(key)
        if value is None:
            return {}
        if not isinstance(value, dict):
            self.warn(f"{where}.{key} is a {type(value).__name__}, not an object (ignored)")
            return {}
        return value

    def dicts(self, parent: dict[str, Any], key: str, where: str) -> list[dict[str, Any]]:
        value = parent.get(key)
        if value is None:
            return []
        if not isinstance(value, list):
            self.warn(f"{where}.{key} is a {type(value).__name__}, not a list (ignored)")
            return []
        items = [item for item in value if isinstance(item, dict)]
        if len(items) != len(value):
            self.warn(f"{where}.{key}: {len(value) - len(items)} item(s) not objects (skipped)")
        return items

    def text(self, parent: dict[str, Any], key: str, where: str, limit: int = LONG_TEXT) -> str:
        value = parent.get(key)
        if value.__class__ is str and len(value) <= limit and value.isprintable():
            return value.strip()  # the usual case, without a detour
        if value is None:
            return ""
        return self._text(value, where, key, limit)

    def texts(
        self, parent: dict[str, Any], key: str, where: str, limit: int = TITLE
    ) -> tuple[str, ...]:
        value = parent.get(key)
        if value is None:
            return ()
        if not isinstance(value, list):
            self.warn(f"{where}.{key} is a {type(value).__name__}, not a list (ignored)")
            return ()
        path = f"{where}.{key}"
        texts = (self._text(v, path, i, limit) for i, v in enumerate(value))
        return tuple(text for text in texts if text)

    def enum(
        self,
        parent: dict[str, Any],
        key: str,
        known: frozenset[str],
        where: str,
        limit: int = CODE,
    ) -> str:
        value = parent.get(key)
        if value is None:
            return ""
        if value.__class__ is str and value in known:  # the usual case, without a detour
            return value
        return self.code(value, known, f"{where}.{key}", limit)

    def code(self, value: Any, known: frozenset[str], where: str, limit: int = CODE) -> str:
        """An enum value already taken from its parent (e.g. an item of a list of phases)."""
        text = self._text(value, where, None, None)
        if not text or text in known:
            return text
        if len(text) > limit:
            self.warn(f"{where}: unknown value {text[:limit]!r}… too long for a code (left empty)")
            return ""
        self.warn(f"unknown value {text!r} for {where} (kept as given)")
        return text

    def count(self, parent: dict[str, Any], key: str, where: str) -> int | None:
        value = parent.get(key)
        if value is None:
            return None
        if isinstance(value, str) and re.fullmatch(r"\s*\d+\s*", value):
            value = int(value)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            self.warn(f"{where}.{key} = {value!r} is not a whole number (left empty)")
            return None
        if value < 0:
            self.warn(f"{where}.{key} = {value} is negative (left empty)")
            return None
        return value

    def flag(self, parent: dict[str, Any], key: str, where: str) -> bool | None:
        value = parent.get(key)
        if value is None or isinstance(value, bool):
            return value
        self.warn(f"{where}.{key} = {value!r} is not true/false (left empty)")
        return None

    def _text(self, value: Any, where: str, key: str | int | None, limit: int | None) -> str:
        # The hot path of every parse: the path of a value is only spelled out for a warning.
        if isinstance(value, str):
            text = value
        elif isinstance(value, int | float) and not isinstance(value, bool):
            text = str(value)
            self.warn(f"{_path(where, key)} is a number, not text (kept as {text!r})")
        else:
            self.warn(f"{_path(where, key)} is a {type(value).__name__}, not text (left empty)")
            return ""
        # isprintable() first: a C loop that clears most values (titles, names) without the regex.
        if not text.isprintable() and _UNCARRIABLE_RE.search(text):
            count = len(_UNCARRIABLE_RE.findall(text))
            text = _UNCARRIABLE_RE.sub(" ", text)
            self.warn(
                f"{_path(where, key)}: {count} control character(s) no output can carry, "
                "made spaces"
            )
        text = text.strip()
        if limit is not None and len(text) > limit:
            self.warn(f"{_path(where, key)}: {len(text):,} characters, cut to {limit:,}")
            text = text[:limit].rstrip()
        return text


def _path(where: str, key: str | int | None) -> str:
    if key is None:
        return where
    return f"{where}[{key}]" if isinstance(key, int) else f"{where}.{key}"
