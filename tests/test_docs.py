"""The documentation stays true to the repository: links resolve, nothing cites files outside it,
every setting is documented, and the README stays short.

A clone has only this repository: the team's domain notes live outside it, so the code and the
docs cite docs/domain.md, never the notes themselves. No database needed.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

import pytest

THIS_FILE = Path(__file__).resolve()
ROOT = THIS_FILE.parent.parent
README_LIMIT = 8 * 1024

# Spelled in two halves so that this file is not itself a citation.
NOTES = "DOMAIN" + ".md"
OUTSIDE = "../" + "shared"
CREDIT = "*Credit:"  # the one paragraph of docs/domain.md allowed to name the notes

SKIP_DIRS = {
    ".git",
    ".venv",
    "node_modules",
    "__pycache__",
    ".pytest_cache",
    ".ruff_cache",
    "staticfiles",
    "test-artifacts",
}

FENCE = re.compile(r"^(```|~~~).*?^\1[^\n]*$", re.MULTILINE | re.DOTALL)
INLINE_CODE = re.compile(r"`+[^`\n]*`+")
INLINE_LINK = re.compile(r"!?\[[^\]]*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
REFERENCE_LINK = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s+\"[^\"]*\")?\s*$", re.MULTILINE)
HEADING = re.compile(r"^\s{0,3}(#{1,6})\s+(.*?)\s*#*\s*$", re.MULTILINE)
# docs/<page>.md#<anchor> in code, comments, templates and data: a pointer a reader follows.
DOCS_POINTER = re.compile(r"\bdocs/([\w./-]+?\.md)#([\w-]+)")
SETTING = re.compile(r"\b(?:env_\w+|os\.environ\.get)\(\s*\"([A-Z][A-Z0-9_]*)\"")


def repo_files(root: Path):
    """The repository's own files: not the tools' caches, the virtualenv or a local database."""
    for path in sorted(root.rglob("*")):
        rel = path.relative_to(root)
        if any(part in SKIP_DIRS or part.endswith(".egg-info") for part in rel.parts):
            continue
        if path.is_file() and not path.name.startswith("db.sqlite3") and path != THIS_FILE:
            yield path


def read_text(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8")
    except (UnicodeDecodeError, OSError):
        return None


def markdown_files(root: Path) -> list[Path]:
    """README.md, docs/**/*.md and the READMEs (and rule pages) beside the code."""
    return [p for p in repo_files(root) if p.suffix == ".md"]


def without_code(text: str) -> str:
    return INLINE_CODE.sub("", FENCE.sub("", text))


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link counts as its text
    text = text.lower().strip()
    kept = "".join(
        ch
        for ch in text
        if ch in " -_" or unicodedata.category(ch)[0] in {"L", "N"} or ch.isalnum()
    )
    return kept.replace(" ", "-")


def anchors(path: Path) -> set[str]:
    seen: dict[str, int] = {}
    result = set()
    for match in HEADING.finditer(FENCE.sub("", read_text(path) or "")):
        base = slug(match.group(2))
        count = seen.get(base, 0)
        seen[base] = count + 1
        result.add(base if count == 0 else f"{base}-{count}")
    return result


def broken_links(root: Path) -> list[str]:
    """Every relative link of every Markdown file that does not reach a file (or heading)."""
    problems = []
    for page in markdown_files(root):
        text = without_code(read_text(page) or "")
        targets = INLINE_LINK.findall(text) + REFERENCE_LINK.findall(text)
        for target in targets:
            if re.match(r"^[a-z][a-z0-9+.-]*:", target, re.IGNORECASE):
                continue  # https:, mailto:: not ours to check
            where = f"{page.relative_to(root)}: ({target})"
            file_part, _, anchor = target.partition("#")
            resolved = (page.parent / file_part).resolve() if file_part else page
            if not resolved.is_relative_to(root):
                problems.append(f"{where} leaves the repository")
                continue
            if not resolved.exists():
                problems.append(f"{where} does not exist")
                continue
            if anchor and resolved.suffix == ".md" and anchor not in anchors(resolved):
                problems.append(f"{where} has no heading #{anchor}")
    return problems


def broken_docs_pointers(root: Path) -> list[str]:
    """`docs/page.md#anchor` written anywhere (code, comments, data) that leads nowhere."""
    problems = []
    for path in repo_files(root):
        text = read_text(path)
        if text is None or path.suffix == ".md":  # Markdown links are checked as links
            continue
        for page, anchor in DOCS_POINTER.findall(text):
            target = root / "docs" / page
            where = f"{path.relative_to(root)}: docs/{page}#{anchor}"
            if not target.is_file():
                problems.append(f"{where}: no such page")
            elif anchor not in anchors(target):
                problems.append(f"{where}: no such heading")
    return problems


def citations_of_outside_files(root: Path) -> list[str]:
    """Files citing the team's notes or ../shared, except docs/domain.md's credit line."""
    problems = []
    credit_page = root / "docs" / "domain.md"
    for path in repo_files(root):
        text = read_text(path)
        if text is None:
            continue
        if path == credit_page:
            paragraphs = re.split(r"\n\s*\n", text)
            text = "\n\n".join(p for p in paragraphs if not p.lstrip().startswith(CREDIT))
        for number, line in enumerate(text.splitlines(), start=1):
            if NOTES in line or OUTSIDE in line:
                problems.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    return problems


def settings_read(settings_text: str) -> set[str]:
    # DATABASE_URL is read by dj_database_url.config(), not by name in settings.py.
    names = set(SETTING.findall(settings_text))
    if "dj_database_url.config(" in settings_text:
        names.add("DATABASE_URL")
    return names


def undocumented_settings(settings_text: str, readme_text: str) -> list[str]:
    return sorted(name for name in settings_read(settings_text) if f"`{name}`" not in readme_text)


# --- the repository ------------------------------------------------------------------------


def test_every_relative_link_in_the_docs_reaches_a_file_and_heading_of_the_repository():
    assert broken_links(ROOT) == []


def test_every_docs_pointer_in_code_and_data_names_an_existing_heading():
    assert broken_docs_pointers(ROOT) == []


def test_nothing_cites_the_teams_notes_or_shared_folder_outside_the_credit_line():
    assert citations_of_outside_files(ROOT) == []


def test_every_setting_read_from_the_environment_is_in_the_readme_table():
    settings_text = (ROOT / "config" / "settings.py").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert len(settings_read(settings_text)) > 20  # the reader still finds them
    assert undocumented_settings(settings_text, readme) == []


def test_the_readme_stays_short():
    size = len((ROOT / "README.md").read_bytes())
    assert size < README_LIMIT, f"README.md is {size} bytes: move the detail into docs/"


def test_the_docs_the_readme_promises_exist():
    for page in [
        "using",
        "api",
        "operating",
        "curating",
        "evidence",
        "domain",
        "benchmarks",
        "development",
    ]:
        assert (ROOT / "docs" / f"{page}.md").is_file(), page
    assert len(list((ROOT / "docs" / "adr").glob("0*.md"))) >= 5


# --- the checks themselves can fail ---------------------------------------------------------


@pytest.fixture
def repo(tmp_path):
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "domain.md").write_text(
        f"# Domain\n\n{CREDIT} adapted from the team's {NOTES}.*\n\n## Cell type\n\ntext\n",
        encoding="utf-8",
    )
    return tmp_path


def test_a_missing_file_a_missing_heading_and_a_link_out_of_the_repository_are_found(repo):
    (repo / "README.md").write_text(
        "[ok](docs/domain.md#cell-type) [gone](docs/gone.md) [bad](docs/domain.md#route)\n"
        "[out](../elsewhere.md) [web](https://example.org/x.md) `[code](docs/no.md)`\n"
        "```\n[fenced](docs/no.md)\n```\n[ref]: docs/missing.md\n",
        encoding="utf-8",
    )
    problems = broken_links(repo)
    assert problems == [
        "README.md: (docs/gone.md) does not exist",
        "README.md: (docs/domain.md#route) has no heading #route",
        "README.md: (../elsewhere.md) leaves the repository",
        "README.md: (docs/missing.md) does not exist",
    ]


def test_a_pointer_in_code_to_a_missing_heading_is_found(repo):
    (repo / "labels.py").write_text(
        "# slugs: docs/domain.md#cell-type, docs/domain.md#route\n", encoding="utf-8"
    )
    assert broken_docs_pointers(repo) == ["labels.py: docs/domain.md#route: no such heading"]


def test_a_citation_of_the_notes_is_found_everywhere_but_the_credit_line(repo):
    (repo / "vocab.py").write_text(f"# the slugs of {NOTES}\n", encoding="utf-8")
    (repo / "conftest.py").write_text(f"NOTES = '{OUTSIDE}/x.md'\n", encoding="utf-8")
    assert citations_of_outside_files(repo) == [
        f"conftest.py:1: NOTES = '{OUTSIDE}/x.md'",
        f"vocab.py:1: # the slugs of {NOTES}",
    ]


def test_a_setting_missing_from_the_readme_is_found():
    settings_text = 'A = env_int("CONN_MAX_AGE", 60)\nB = os.environ.get("LOG_LEVEL")\n'
    settings_text += "DATABASES = dj_database_url.config()\n"
    assert undocumented_settings(settings_text, "| `LOG_LEVEL` |") == [
        "CONN_MAX_AGE",
        "DATABASE_URL",
    ]


@pytest.mark.parametrize(
    "heading, anchor",
    [
        ("Registries beyond ClinicalTrials.gov", "registries-beyond-clinicaltrialsgov"),
        ("The `/evidence/` page", "the-evidence-page"),
        ("Decisions (what a reader should know)", "decisions-what-a-reader-should-know"),
        ("0002. Facet counts, in memory", "0002-facet-counts-in-memory"),
        ("`register_section` and [links](x.md)", "register_section-and-links"),
    ],
)
def test_anchors_are_spelled_as_github_spells_them(heading, anchor):
    assert slug(heading) == anchor
