"""CSV cells a spreadsheet will not run (OWASP "CSV injection"), for every CSV the tracker writes.

A spreadsheet reads a cell that begins with `=`, `+`, `-` or `@` (or a tab, carriage return or
line feed before one) as a formula: a trial title or a curation note from anyone could then run
on a researcher's machine. Such a text cell is written with a single quote in front (`'=cmd`),
which a spreadsheet shows as text. A plain number (`-1.5`, `+3`, `2e-5`) is data, not a formula,
and is written as it is. JSON is never changed.

`restore` undoes `neutralise` for the CSV files the tracker reads back (curation files): text
that already began with quotes before one of those characters gets one more, so that reading
it back always gives the original.
"""

from __future__ import annotations

import re

TRIGGERS = "=+-@\t\r\n"
_NEEDS_QUOTE = re.compile(rf"'*[{re.escape(TRIGGERS)}]")
_QUOTED = re.compile(rf"'+[{re.escape(TRIGGERS)}]")
PLAIN_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def neutralise(cell: str) -> str:
    """The cell as a spreadsheet will show it, never run it (see the module docstring)."""
    if _NEEDS_QUOTE.match(cell) and not PLAIN_NUMBER.fullmatch(cell):
        return "'" + cell
    return cell


def restore(cell: str) -> str:
    """The text `neutralise` was given: one leading quote fewer before a formula character."""
    return cell[1:] if _QUOTED.match(cell) else cell


def neutralise_row(row) -> list[str]:
    return [neutralise(cell) if isinstance(cell, str) else cell for cell in row]
