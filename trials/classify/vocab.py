"""Phrase tables for the classifier (classify/): the words that point to each slug of the fixed
vocabularies (trials.labels owns the slugs). Data only; the rules that use them are in classify/,
explained in RULES.md.

A pattern's `strength` says how unambiguous the phrase is on its own (1.0: "intrathecal"; lower for
an abbreviation or a loose word). Abbreviations that are also ordinary words ("IT", "IV", "IM")
are matched case-sensitively and as whole words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from trials import labels
from trials.classify.literals import Screen, exact_fragments, required_fragments, required_screen

# The slugs of the fixed vocabularies (trials.labels owns them). Every pattern and product below
# gives slugs of these; tests/trials/test_labels.py holds the tables to them.
CELL_TYPES = frozenset(labels.CELL_TYPES)
CELL_SOURCES = frozenset(labels.CELL_SOURCES)
DONORS = frozenset(labels.DONORS)
ROUTES = frozenset(labels.ROUTES)

# A word boundary that also treats "-" as part of a word, so "IT" does not match inside "IT-based"
# and "MSC" does not match inside "hMSC" (which has its own pattern).
_B = r"(?<![\w-])"
_E = r"(?![\w-])"
# Cell abbreviations end at a word boundary but may go on with a hyphen: "iPSC-derived", "BM-MSC".
_W = r"(?!\w)"


@dataclass(frozen=True)
class Pattern:
    value: str
    regex: re.Pattern[str]
    strength: float = 1.0
    # Case-sensitive abbreviation ("IT", "IV"): meaningless in text written all in capitals.
    case: bool = False
    # Text just before the match that makes it mean something else ("phase IV", "grade IV").
    not_after: re.Pattern[str] | None = None
    # The bare word "intraspinal": its strength depends on the whole record (classify/reading.py).
    loose: bool = False
    # Fragments one of which any match contains (literals.py): screens sentences cheaply.
    hints: tuple[str, ...] = ()  # lower-case, to look for in the lower-cased sentence
    # For a case-sensitive pattern, the same in their own case, to look for in the sentence
    # itself: "IT" is rare where "it" is everywhere.
    case_hints: tuple[str, ...] = ()
    # The finer screen for the patterns that pass the hints (literals.required_screen).
    screen: Screen = ()


def _p(
    value: str,
    pattern: str,
    strength: float = 1.0,
    *,
    case: bool = False,
    not_after: str = "",
    loose: bool = False,
) -> Pattern:
    regex = re.compile(pattern, 0 if case else re.IGNORECASE)
    return Pattern(
        value=value,
        regex=regex,
        hints=required_fragments(regex),
        case_hints=exact_fragments(regex),
        screen=required_screen(regex, exact=case),
        strength=strength,
        case=case,
        not_after=re.compile(not_after, re.IGNORECASE) if not_after else None,
        loose=loose,
    )


# "Phase IV", "grade IV", "stage III-IV", "types I, II, III, IV": a roman numeral, not intravenous.
_ROMAN_CONTEXT = (
    r"(?:\b(?:phase|grade|stage|type|class|part|level|step|group|cohort|category|section|table"
    r"|figure|appendix|version|NYHA|WHO)s?\s*(?:[IVX]+\s*(?:[-/,&]|and|or|to)\s*)*"
    r"|\b[IVX]+\s*(?:[-/,&]|and|or|to)\s*)$"
)

# ---------------------------------------------------------------------------------------------
# Delivery routes. Matches are kept only when they describe how the *cells* are given (see
# classify/reading.py: the nearest agent in the clause must be the cells, not a drug or a placebo).
# ---------------------------------------------------------------------------------------------
ROUTE_PATTERNS: tuple[Pattern, ...] = (
    _p("intrathecal", r"\bintra-?\s?thec?h?al(?:ly)?\b"),  # also the registry's typo "intrathechal"
    _p("intrathecal", _B + r"IT" + _E, 0.9, case=True),
    _p("intrathecal", r"\blumbar punctures?\b", 0.95),
    _p("intrathecal", _B + r"LP" + _E, 0.8, case=True),
    _p("intrathecal", r"\bsub-?arachnoid(?:al)?\b", 0.95),
    _p(
        "intrathecal",
        r"\b(?:into|to)\s+the\s+(?:cerebral\s+|cerebro-?)spinal\s+fluid\b|\b(?:into|to)\s+the\s+CSF\b"
        r"|\binjected\s+in\s+the\s+CSF\b",
        0.9,
    ),
    # Explicitly into the cord: unambiguous, unlike the bare word "intraspinal" (below).
    _p("intraspinal", r"\bintra-?\s?spinal\s+cord\b", 0.95),
    _p("intraspinal", r"\bintra-?\s?medullar(?:y|ly)?\b", 0.95),
    _p(
        "intraspinal",
        r"\binto\s+(?:the\s+)?(?:(?:ALS\s+)?patients?'?s?\s+)?(?:(?:lumbar|cervical|thoracic)\s+)?"
        r"spinal\s+cords?\b",
        0.95,
    ),
    # "in the spinal cord" alone also describes where the disease is; only with a level named is
    # it a place cells are put.
    _p(
        "intraspinal",
        r"\bin\s+(?:the\s+)?(?:lumbar|cervical|thoracic)\s+spinal\s+cords?\b(?!\s+injur)",
        0.85,
    ),
    _p("intraspinal", r"\bspinal\s+cord\s+(?:injections?|implantation)\b(?!\s+injur)", 0.95),
    _p("intraspinal", r"\b(?:lumbar|cervical|thoracic)\s+surgical\s+(?:trans|im)plant\w*", 0.9),
    _p("intraspinal", r"\bmicro-?injections?\b[^.;]{0,60}?\bspinal\s+cord\b", 0.9),
    # The bare word: loose in registry prose (classify/reading.py decides its strength).
    _p("intraspinal", r"\bintra-?\s?spinal(?:ly)?\b(?!\s+cord)", 0.6, loose=True),
    _p("intracerebroventricular", r"\bintra-?\s?cerebro-?\s?ventricular(?:ly)?\b"),
    _p("intracerebroventricular", r"\bintra-?\s?ventricular(?:ly)?\b", 0.95),
    _p("intracerebroventricular", _B + r"ICV" + _E, 0.9, case=True),
    _p("intracerebroventricular", r"\binto\s+the\s+(?:lateral\s+)?ventricles?\b", 0.9),
    # "delivered via an indwelling catheter into the ventricular system" (CAR-T in brain tumours)
    _p("intracerebroventricular", r"\binto\s+(?:the|their)\s+ventricular\s+system\b", 0.9),
    _p("intracerebral", r"\bintra-?\s?cerebral(?:ly)?\b"),
    _p("intracerebral", r"\bintra-?\s?cranial(?:ly)?\b", 0.9),
    _p("intracerebral", r"\binto\s+the\s+(?:primary\s+)?motor\s+cortex\b", 0.9),
    _p("intracerebral", r"\bbrain\s+parenchyma\b", 0.9),
    # "intravenous sedation" / "IV anaesthesia" are about the procedure, not the cells.
    _p("intravenous", r"\bintra-?\s?venous(?:ly)?\b(?!\s+(?:sedation|an(?:a)?esthe))"),
    _p(
        "intravenous",
        _B + r"IV" + _E + r"(?!\s*(?:sedation|an(?:a)?esthe))",
        0.9,
        case=True,
        not_after=_ROMAN_CONTEXT,
    ),
    _p("intravenous", r"\b(?:via|through|into)\s+(?:a\s+|the\s+)?peripheral\s+veins?\b", 0.9),
    _p("intravenous", r"\b(?:via|through)\s+(?:a\s+|the\s+)?veins?\b", 0.85),
    _p("intravenous", r"\bcentral\s+venous\s+(?:access\s+)?(?:catheter|line|port)s?\b", 0.9),
    _p("intra-arterial", r"\bintra-?\s?arterial(?:ly)?\b"),
    _p("intra-arterial", r"\bintra-?\s?carotid\b", 0.95),
    _p("intra-arterial", r"\b(?:via|through)\s+(?:an?\s+|the\s+)?arter(?:y|ies)\b", 0.85),
    _p("intramuscular", r"\bintra-?\s?muscular(?:ly)?\b"),
    _p("intramuscular", _B + r"IM" + _E, 0.85, case=True),
    _p("intramuscular", r"\binto\s+(?:the\s+)?(?:\w+\s+){0,2}muscles?\b", 0.85),
    _p(
        "other",
        r"\bintra-?\s?(?:nasal|vitreal|peritoneal|articular|dermal|lesional|coronary|myocardial)(?:ly)?\b",
        0.9,
    ),
    # Into a tumour or the cavity left by its resection: not brain parenchyma, not the CSF.
    _p(
        "other",
        r"\bintra-?\s?(?:tumou?ral(?:ly)?|tumou?r|cavitary)\b|\binto\s+the\s+tumou?r(?:\s+resection)?"
        r"\s+cavity\b",
        0.9,
    ),
)

# Words that make a bare "intraspinal" mean the CSF (lumbar puncture), not the cord itself.
CSF_CUE_RE = re.compile(
    r"\blumbar\s+punctures?\b|\bsub-?arachnoid|\bcerebro-?\s?spinal\s+fluid\b|\bcerebral\s+spinal"
    r"\s+fluid\b|(?-i:" + _B + r"(?:CSF|LP)" + _E + ")",
    re.IGNORECASE,
)
# Words that show real spinal-cord surgery somewhere in the record.
SURGICAL_CUE_RE = re.compile(
    r"\blamin(?:ectomy|oplasty)\b|\bintra-?\s?medullar|\bparenchyma|\bspinal\s+cord\s+injections?\b"
    r"|\binto\s+(?:the\s+)?(?:[\w']+\s+){0,2}spinal\s+cords?\b|\bintra-?\s?spinal\s+cord\b"
    r"|\bneurosurg|\bsurgical\s+(?:transplant|implant|microinjection)",
    re.IGNORECASE,
)

# ---------------------------------------------------------------------------------------------
# Cell types and sources named by generic words.
# ---------------------------------------------------------------------------------------------
CELL_TYPE_PATTERNS: tuple[Pattern, ...] = (
    _p(
        "msc",
        r"\bmesenchym(?:al|e)\s+(?:\w+\s+){0,3}?(?:stem|stromal|progenitor)\s*(?:/\s*\w+\s+)?cells?\b",
    ),
    _p("msc", r"\bmesenchym(?:al|e)\s+(?:\w+\s+){0,3}?cells?\b", 0.9),
    _p("msc", r"\bmesenchymal\b", 0.7),
    _p("msc", r"(?<![\w-])(?:h|aa|ad|BM-|WJ-?|hUC-|UC-|A|HB-ad)?MSCs?(?![a-z])", 0.95, case=True),
    _p("msc", r"\bmultipotent\s+(?:mesenchymal\s+)?stromal\s+cells?\b"),
    _p("msc", r"\b(?:bone\s+marrow\s+)?stromal\s+(?:stem\s+)?cells?\b", 0.85),
    _p("msc", r"\badipose[- ]derived\s+stem\s+cells?\b|" + _B + r"ADSCs?" + _W, 0.9),
    _p("nsc", r"\bneural\s+(?:stem|progenitor|precursor)(?:\s*/\s*progenitor)?\s+cells?\b"),
    _p("nsc", r"\bneural\s+stem\b", 0.9),
    _p("nsc", _B + r"h?NSCs?" + _W + r"|" + _B + r"h?NPCs?" + _W, 0.85, case=True),
    _p("glial", r"\bastrocytes?\b", 0.9),
    _p("glial", r"\bglial[- ]restricted\s+progenitors?(?:\s+cells?)?\b"),
    _p("glial", r"\bglial\s+(?:progenitor|precursor)s?(?:\s+cells?)?\b"),
    _p("glial", r"\bcells\s+of\s+the\s+glial\s+lineage\b", 0.9),
    _p("glial", r"\boligodendrocyte\s+(?:progenitor|precursor)s?\b"),
    _p("bm-mnc", r"\bmono-?\s?nuclear\s+(?:autologous\s+)?cells?\b"),
    _p("bm-mnc", r"\bmono-?\s?nuclear\s+cell\s+fraction\b"),
    _p("bm-mnc", _B + r"(?:BM-?)?MNCs?" + _W + r"|" + _B + r"PBMCs?" + _W, 0.9, case=True),
    _p("hsc", r"\bha?ematopoietic\s+(?:stem|progenitor)(?:\s*/\s*progenitor)?\s+cells?\b"),
    _p("hsc", r"\bCD(?:34|133)\s?(?:\+|-?positive)", 0.95),
    _p("other-cell", r"\bregulatory\s+T[- ]?(?:cells?|lymphocytes?)\b"),
    _p("other-cell", r"\bT[- ]?regulatory\s+(?:cells?|lymphocytes?)\b"),
    _p("other-cell", _B + r"Tregs?" + _W, 0.95, case=True),
    _p("other-cell", r"\bCD4\+\s*CD25\+", 0.9),
    _p("other-cell", r"\bolfactory\s+ensheathing\s+cells?\b"),
    _p("other-cell", r"\bdendritic\s+cells?\b", 0.9),
)

# "into muscle and not adipose tissue": the word is named to be excluded.
NEGATION_BEFORE_RE = re.compile(
    r"\b(?:not|no|non|nor|without|rather\s+than|instead\s+of|other\s+than)\s+(?:\w+\s+)?$",
    re.IGNORECASE,
)
# A text about culturing: mononuclear cells there are a step towards an expanded product (MSC),
# and bm-mnc are by definition not expanded (docs/domain.md#cell-type).
CULTURE_RE = re.compile(
    r"\bcultur\w*|\bexpan(?:ded|sion)\b|\bplated\b|\bpassages?\b|\bconfluen\w*",
    re.IGNORECASE,
)

# Cell types named only as the thing another cell can "become": not the product.
DIFFERENTIATION_BEFORE_RE = re.compile(
    r"(?:\bbecome|\bdifferentiat\w*\s+(?:in)?to|\bdifferentiation\s+into|\bsuch\s+as|\bpatients'?\s+own"
    r"|\bnormal)\s+(?:\w+\s+){0,4}$",
    re.IGNORECASE,
)

CELL_SOURCE_PATTERNS: tuple[Pattern, ...] = (
    _p("bone-marrow", r"\bbone[- ]?marrow\b"),
    _p("bone-marrow", _B + r"BM" + _W, 0.85, case=True),
    _p("bone-marrow", r"\biliac\s+crest\b", 0.9),
    _p("adipose", r"\badipose\b"),
    _p("adipose", r"\blipo-?aspirat\w*|\bliposuction\b|\bbody\s+fat\b|\bfat\s+tissue\b", 0.95),
    _p("adipose", r"(?<![\w])(?:HB-)?adMSCs?(?![a-z])|" + _B + r"aaMSCs?" + _W, 0.95, case=True),
    _p("umbilical-cord", r"\bumbilical[- ]cords?\b|\bcord\s+blood\b"),
    _p("umbilical-cord", r"\bwharton'?s?'?\s+jelly\b"),
    _p("umbilical-cord", _B + r"(?:WJ|h?UC)-?MSCs?" + _W, 0.95, case=True),
    _p("peripheral-blood", r"\bperipheral\s+blood\b"),
    _p("peripheral-blood", _B + r"PBMCs?" + _W, 0.95, case=True),
    _p("peripheral-blood", r"\bleuk?a?pheresis\b|\bapheresis\b", 0.85),
    _p("fetal-tissue", r"\bf(?:o)?etal\b|\bf(?:o)?etus\b|\belectively\s+aborted\b"),
    _p("embryonic-stem-cell", r"\bembryonic\s+stem\s+cells?\b"),
    _p("embryonic-stem-cell", _B + r"h?ESCs?" + _W, 0.9, case=True),
    _p("induced-pluripotent", r"\binduced\s+pluripotent\b"),
    _p("induced-pluripotent", _B + r"(?:h?iPSCs?|iPS\s+cells?)" + _W, 0.95, case=True),
)

DONOR_PATTERNS: tuple[Pattern, ...] = (
    _p("autologous", r"\bautologous\b"),
    _p("autologous", r"\bauto-?transplant\w*"),
    # "the patient's own bone marrow", not "the patients' own astrocytes" (which the cells replace).
    _p(
        "autologous",
        r"\b(?:patients?'?s?|participants?'?s?|their)\s+own\s+(?:\w+\s+){0,2}?"
        r"(?:bone[- ]marrow|blood|fat|adipose|tissue|cells?)\b",
    ),
    _p("autologous", r"\b(?:back\s+)?to\s+the\s+same\s+(?:patient|person|participant)\b", 0.9),
    _p("allogeneic", r"\ballogen(?:e)?ic\b"),
    _p("allogeneic", r"\bhealthy\s+donors?\b|\bthird[- ]party\b|\bunrelated\s+donors?\b"),
    _p("allogeneic", r"\bhaplo-?identical\b|\bHLA[- ](?:mis)?matched\b|\boff[- ]the[- ]shelf\b"),
)


# Cells from a fetus or an embryonic stem cell line cannot be the patient's own.
SOURCE_IMPLIES_DONOR = {
    "fetal-tissue": ("allogeneic", 0.9),
    "embryonic-stem-cell": ("allogeneic", 0.9),
}


# ---------------------------------------------------------------------------------------------
# Named products. A product name says more than the words around it, so it implies its cell type,
# source and donor (from docs/domain.md#products-people-search-for and the sponsors' own
# descriptions).
# ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Product:
    regex: re.Pattern[str]
    cell_types: tuple[str, ...] = ()
    cell_sources: tuple[str, ...] = ()
    donor: str = ""
    # Generic cell types that the product's own description uses loosely; when the product is
    # recognised, those generic words stay suggestions ("adipose derived *mesenchymal* regenerative
    # cells" are ADRC, which docs/domain.md#cell-type files as other-cell, not msc).
    supersedes: tuple[str, ...] = ()
    # How sure the implication is: fetal / embryonic products are allogeneic by nature.
    donor_strength: float = 0.95
    # Umbilical-cord MSC given to adults are almost always allogeneic, but the record did not say
    # so: the implication stays a suggestion, however often the cord is mentioned.
    donor_cap: float = 1.0
    hints: tuple[str, ...] = ()
    case: bool = False  # matched case-sensitively
    screen: Screen = ()


def _product(pattern: str, *, case: bool = False, **implied) -> Product:
    regex = re.compile(pattern, 0 if case else re.IGNORECASE)
    return Product(
        regex=regex,
        hints=required_fragments(regex),
        case=case,
        screen=required_screen(regex, exact=case),
        **implied,
    )


PRODUCTS: tuple[Product, ...] = (
    _product(
        r"\bNurOwn\b|" + _B + r"MSC[-_]NTF" + _W,
        cell_types=("msc",),
        cell_sources=("bone-marrow",),
        donor="autologous",
    ),
    _product(
        r"\blenzumestrocel\b|\bNeuronata-?R\b|\bHYNR-CS\b",
        cell_types=("msc",),
        cell_sources=("bone-marrow",),
        donor="autologous",
    ),
    # NSI-566 is the spinal-cord neural stem cell line from one fetus; the registry calls it HSSC.
    _product(
        r"\bNSI-?566\b|\bHSSCs?\b|\bhuman\s+spinal\s+(?:cord\s+)?(?:derived\s+)?(?:neural\s+)?stem\s+cells?\b",
        cell_types=("nsc",),
        cell_sources=("fetal-tissue",),
        donor="allogeneic",
    ),
    _product(
        r"\bCNS10-NPC(?:-GDNF)?\b",
        cell_types=("nsc",),
        cell_sources=("fetal-tissue",),
        donor="allogeneic",
        supersedes=("glial",),
    ),
    _product(
        r"\bAstroRx\b",
        cell_types=("glial",),
        cell_sources=("embryonic-stem-cell",),
        donor="allogeneic",
    ),
    _product(
        r"\bQ-Cells?\b|\bhGRPs?\b",
        cell_types=("glial",),
        donor="allogeneic",
        donor_strength=0.85,
    ),
    _product(
        r"\badipose[- ]derived\s+(?:\w+\s+)?regenerative\s+cells?\b|" + _B + r"ADRCs?" + _W,
        cell_types=("other-cell",),
        cell_sources=("adipose",),
        supersedes=("msc",),
    ),
    _product(
        r"\bstromal\s+vascular\s+fraction\b|" + _B + r"(?:AD-?)?SVF" + _W,
        cell_types=("other-cell",),
        cell_sources=("adipose",),
        supersedes=("msc",),
    ),
    # Immune-effector cell products (CAR-T, CAR-NK, NK cells, CIK, TIL): other-cell. They are made
    # from the patient's or a donor's blood mononuclear cells, which their descriptions name: those
    # are the starting material, not the product.
    _product(
        r"\bchimeric\s+antigen\s+receptor\b|\bnatural\s+killer\s+(?:\(NK\)\s+)?(?:T\s+)?cells?\b"
        r"|\bcytokine[- ]induced\s+killer\s+cells?\b|\btumou?r[- ]infiltrating\s+lymphocytes?\b",
        cell_types=("other-cell",),
        supersedes=("bm-mnc",),
    ),
    _product(
        r"(?<![a-z])CAR[-+. ]{0,2}(?:T|NK)s?(?![A-Za-z])|" + _B + r"NK[- ]?(?:cells?|92)" + _E,
        case=True,
        cell_types=("other-cell",),
        supersedes=("bm-mnc",),
    ),
    _product(
        r"\b(?:umbilical\s+cord|wharton'?s?'?\s+jelly)[- ](?:derived\s+)?(?:\w+\s+){0,2}?"
        r"(?:mesenchymal|MSCs?)\b|" + _B + r"(?:WJ|h?UC)-?MSCs?" + _W,
        donor="allogeneic",
        donor_strength=0.7,
        donor_cap=0.55,
    ),
)

# Words that make a text about a cell product at all (with the type patterns and products above).
GENERIC_CELL_PATTERNS: tuple[Pattern, ...] = (
    _p("cells", r"\bstem(?:\s*/\s*progenitor)?[- ]cells?\b", 0.9),
    _p("cells", r"\bprogenitor\s+cells?\b", 0.85),
    _p("cells", r"\bcell(?:ular)?[- ](?:based\s+)?therap\w*", 0.9),
    _p("cells", r"\bcell(?:ular)?\s+(?:transplant|implant|product)\w*", 0.9),
    _p("cells", r"\bcells?\s+(?:transplant|implant|infusion|injection)\w*", 0.85),
)

# ---------------------------------------------------------------------------------------------
# Context words.
# ---------------------------------------------------------------------------------------------
# These are searched across whole sentences, so their alternatives that start a word share one
# "\b" in front: the regex engine then passes over a letter inside a word with one test instead of
# one per alternative (several times faster; the same matches, since the order of the
# alternatives is kept).
# Anchors decide whom a route phrase belongs to: the nearest one in the clause wins.
# "post transplant day 1" is a date, not the cells.
CELL_ANCHOR_RE = re.compile(
    r"\b(?:cells?\b|stem\b)|\w*MSCs?\b|\bMSC[-_]NTF\b|(?<!post\s)(?<!post-)(?<!pre-)\btransplant\w*"
    r"|\b(?:implant\w*|graft\w*|NurOwn\b"
    r"|Q-Cells?\b|AstroRx\b|HSSCs?\b|HYNR-CS\b|lenzumestrocel\b|Neuronata|ADRCs?\b"
    r"|Tregs?\b|lymphocytes\b|PBMCs?\b|MNCs?\b|progenitors?\b|astrocytes?\b|CNS10\b"
    r"|stromal\s+vascular\b|SVF\b|hGRPs?\b|NSI-?566\b|ADSCs?\b|CAR-?T\b|CAR-?NK\b)",
    re.IGNORECASE,
)
# Things given beside the cells (or instead of them), whose routes do not count. ("Placebo-
# controlled" is the design, not an agent.)
OTHER_AGENT_RE = re.compile(
    r"\b(?:(?:placebo|sham)\b(?![- ]controlled)|excipient\b|vehicle\b|riluzole\b|edaravone\b"
    r"|interleukin\b)"
    r"|" + _B + r"IL-?2" + _E + r"|\b(?:proleukin\b|immuno-?suppress\w*|tacrolimus\b|prograf\b"
    r"|basiliximab\b|simulect\b|mycophenolate\b|cellcept\b|(?:methyl)?predniso(?:lo)?ne\b"
    r"|dexamethasone\b|steroids?\b|cyclosporin\w*|ciclosporin\w*|sirolimus\b|rapamycin\b"
    r"|thymoglobulin\b|antithymocyte\b|tocilizumab\b|G-CSF\b|filgrastim\b|heparin\b"
    r"|antibiotics?\b|gadolinium\b|contrast\s+(?:agent|medium)\b)"
    # A dose in mg or IU is a drug's: cells are dosed in cells (per kg).
    r"|\d\s*(?:mg|µg|mcg|IU)\b",
    re.IGNORECASE,
)
# A sentence about earlier work, animals or the literature: its routes and cell types are not this
# trial's.
BACKGROUND_RE = re.compile(
    r"\b(?:(?:previous(?:ly)?|earlier|former|recent|published|several|numerous|many|other)\s+"
    r"(?:\w+\s+){0,2}?(?:stud(?:y|ies)|trials?|research|reports?|investigations?|work)\b"
    r"|(?:stud(?:y|ies)|trials?|research|reports?|experiments?|investigations?)\s+(?:have|has)\s+"
    r"(?:shown|demonstrated|reported|suggested|indicated|been)"
    r"|(?:have|has)\s+been\s+(?:shown|reported|demonstrated|able|used|found)\b"
    r"|it\s+(?:has\s+been|was|is)\s+(?:demonstrated|shown|reported|known)\b"
    r"|(?:murine|mice|mouse|rats?|rodents?|animals?|SOD1|pre-?clinical)\b"
    r"|literature\b|NCT\d{8}\b|our\s+(?:previous|earlier|prior|results|experience)\b"
    r"|investigations?\s+indicated\b)",
    re.IGNORECASE,
)

# Interventions and arms that are the comparator, not the cells.
CONTROL_TEXT_RE = re.compile(
    r"^\s*(?:matching\s+)?(?:placebo|sham|control|saline|vehicle|excipient|no\s+(?:treatment|intervention)"
    r"|standard\s+(?:of\s+care|treatment)|symptomatic\s+treatment|best\s+supportive)\b|^\s*no\b",
    re.IGNORECASE,
)
