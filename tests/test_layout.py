"""Imports run one way: the registry's code, then the classifier, then the importer; the pages and
the curators' tools use the importer's results, never the reverse; evidence plugs into trials,
never the reverse.

Read from the source with `ast` (no module is imported), module-level and function-level imports
alike, so that an import hidden in a function cannot cross a line either.
"""

from __future__ import annotations

import ast
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("trials", "evidence")

# What every flow imports, so that none of them can reach the pages or the curators' tools
# through it: the models, the vocabulary, the effective values (the history's recording too,
# below).
BASE = ("trials.models", "trials.labels", "trials.effective")
# The people-facing side: pages, API, admin, template tags, the curators' tools.
UI = (
    "trials.browsing",
    "trials.curating",
    "trials.admin",
    "trials.urls",
    "trials.templatetags",
    "evidence.browsing",
    "evidence.curating",
    "evidence.admin",
    "evidence.urls",
)

# The pages themselves (the curators' field registry is not among them: the history names and
# shows curated values through it).
PAGES = tuple(p for p in UI if not p.endswith(".curating"))

ONLY, NEVER = "may import only", "must not import"

# The layering, from the bottom up. Each rule: the modules it governs (a dotted prefix: a package
# and everything in it, or one module), whether the prefixes listed are all they may import of
# trials/evidence (ONLY) or what they must never import (NEVER), and why. Every matching rule
# applies.
RULES: tuple[tuple[str, str, tuple[str, ...], str], ...] = (
    ("trials.labels", ONLY, ("trials.labels",), "the vocabulary is pure data"),
    (
        "trials.extensions",
        ONLY,
        ("trials.extensions", "trials.models"),
        "the seams other apps plug into: every flow reads them",
    ),
    (
        "trials.registries",
        ONLY,
        ("trials.registries", "trials.labels"),
        "a registry's code (client, parse) knows only its registry and the vocabulary",
    ),
    (
        "trials.classify",
        ONLY,
        ("trials.classify", "trials.registries", "trials.labels"),
        "classification is pure: parsed record in, labels out",
    ),
    (
        "trials.importing",
        NEVER,
        UI,
        "the importer writes what the pages read; it never depends on them",
    ),
    ("trials.history.recording", NEVER, UI, "the writers' side of the history"),
    (
        "trials.history",
        NEVER,
        PAGES,
        "the pages and the admin read the history; it does not read them",
    ),
    *((base, NEVER, UI, "every flow imports it") for base in BASE),
    ("trials", NEVER, ("evidence",), "evidence plugs in from EvidenceConfig.ready()"),
    (
        "evidence.vocab",
        ONLY,
        ("evidence.vocab", "trials.labels"),
        "the evidence vocabulary derives from trials.labels",
    ),
    ("evidence.keys", ONLY, ("evidence.keys",), "pure text keys"),
    (
        "evidence.classify",
        ONLY,
        ("evidence.classify", "evidence.vocab", "evidence.keys", "trials.labels"),
        "classification is pure",
    ),
    ("evidence.importing", NEVER, UI, "the importer never depends on the pages"),
    ("evidence.models", NEVER, UI, "every flow imports them"),
    ("evidence.synthesis", NEVER, UI, "the pages use the synthesis, not the reverse"),
)


@dataclass(frozen=True)
class Import:
    module: str  # the importing module
    target: str  # the module imported
    line: int
    path: str = ""

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.module} imports {self.target}"


def _is_within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _exists(module: str) -> bool:
    path = ROOT.joinpath(*module.split("."))
    return path.with_suffix(".py").is_file() or (path / "__init__.py").is_file()


def _targets(node: ast.Import | ast.ImportFrom, module: str, is_package: bool) -> list[str]:
    """The project modules an import statement loads (`from trials import labels` loads
    trials.labels; `from trials.models import Trial` loads trials.models)."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:  # relative: resolve against the importing module's package
        package = module.split(".")
        package = package if is_package else package[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join([*package, base] if base else package)
    submodules = [f"{base}.{alias.name}" for alias in node.names]
    return [name for name in submodules if _exists(name)] or [base]


def project_modules() -> dict[str, Path]:
    """Every module of trials/ and evidence/ but the migrations, by dotted name."""
    return {
        _module_name(path): path
        for package in PACKAGES
        for path in sorted((ROOT / package).rglob("*.py"))
        if "migrations" not in path.parts
    }


def project_imports() -> list[Import]:
    found = []
    for module, path in project_modules().items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import | ast.ImportFrom):
                for target in _targets(node, module, path.name == "__init__.py"):
                    if any(_is_within(target, p) for p in PACKAGES):
                        where = str(path.relative_to(ROOT))
                        found.append(Import(module, target, node.lineno, where))
    return found


def violations(imports: list[Import]) -> list[str]:
    broken = []
    for imported in imports:
        for governed, kind, prefixes, why in RULES:
            if not _is_within(imported.module, governed):
                continue
            allowed = any(_is_within(imported.target, p) for p in prefixes)
            if (kind == ONLY) != allowed:
                broken.append(f"{imported}  ({governed} {kind} {', '.join(prefixes)}: {why})")
    return broken


def test_imports_run_one_way():
    broken = violations(project_imports())
    assert not broken, "imports against the layering (tests/test_layout.py RULES):\n" + "\n".join(
        broken
    )


def test_the_layout_check_sees_function_level_and_relative_imports():
    source = (
        "from trials.labels import CELL_TYPES\n"
        "def f():\n"
        "    from trials.browsing import filters\n"
        "    from ..curating import fields\n"
    )
    tree = ast.parse(source)
    nodes = [n for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)]
    module = "trials.importing.upsert"
    targets = [t for n in nodes for t in _targets(n, module, is_package=False)]
    assert targets == ["trials.labels", "trials.browsing.filters", "trials.curating.fields"]
    imports = [Import(module, t, 1, "trials/importing/upsert.py") for t in targets]
    assert [v.split("  (")[0] for v in violations(imports)] == [
        "trials/importing/upsert.py:1: trials.importing.upsert imports trials.browsing.filters",
        "trials/importing/upsert.py:1: trials.importing.upsert imports trials.curating.fields",
    ]


def test_every_rule_governs_modules_that_exist():
    # A rule for a renamed package would pass for ever without checking anything.
    modules = project_modules()
    for governed, _kind, prefixes, _why in RULES:
        assert any(_is_within(m, governed) for m in modules), governed
        for prefix in prefixes:
            assert any(_is_within(m, prefix) for m in modules), prefix
