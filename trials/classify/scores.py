"""How much a phrase counts: the numbers of the classifier, with their reasons (RULES.md)."""

ACCEPT = 0.6  # labels at or above this confidence count as the automatic value; below = "unsure"

# How much a phrase is worth by where it stands: the protocol (interventions, arms) says what is
# done; titles name it; the summary describes it; the detailed description mixes it with the
# literature (which BACKGROUND discounts).
WEIGHTS = {
    "intervention.name": 0.9,
    "intervention.description": 0.9,
    "intervention.other_names": 0.85,
    "arm.label": 0.85,
    "arm.description": 0.9,
    "brief_title": 0.8,
    "official_title": 0.8,
    "keywords": 0.7,
    "brief_summary": 0.7,
    "detailed_description": 0.65,
    # The design module's description of the intervention model: the protocol in prose (some
    # records state the route only here, NCT03482050), but it also describes the comparator.
    "intervention_model_description": 0.85,
}
# Standing of each kind of source. A value said only in a lower-standing source does not join a
# field that a higher-standing source has already filled: when the title and the interventions
# say "intravenous", a detailed description that says "intraventricular" (copied from a sister
# trial) is a suggestion, not a second route.
STANDING = {"protocol": 2, "title": 2, "keywords": 1, "summary": 1, "detailed": 0}
BACKGROUND = 0.5  # a sentence about earlier studies, animals or the literature
UNANCHORED = 0.85  # a route in prose with neither the cells nor anything else named near it
CORROBORATION = 0.1  # per further kind of source that says the same
CORROBORATION_MIN = 0.4  # a background mention does not corroborate
MAX_CONFIDENCE = 0.97  # free text is never certain
SUGGEST = 0.2  # weaker candidates are noise, not suggestions
SUPERSEDED = ACCEPT - 0.15  # explained away: by a recognised product, or by a stronger source
UNKNOWN_CONFIDENCE = 0.2  # donor "unknown": nothing said, or said both ways
