"""A trial's history: what changed, when, and who changed it.

The writers record `TrialChange` rows: the importer (`trials.importing.upsert`) and curators'
services (`trials.curating.services`). `recording` holds what they agree on (which registry fields
are tracked, how their values are kept, the rows an import makes); `timeline` reads the history
back for people: `timeline_for(trial)` for the trial page (templates/trials/_timeline.html) and
`describe()` for the change list and feed.
"""
