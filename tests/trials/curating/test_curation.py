"""Curating: the curated-field registry, curation files (apply whole or not at all, idempotent,
export round trip), reviews and the review queue, the curators group, and curated values that
survive every later import, full or incremental."""

import copy

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import call_command
from django.core.management.base import CommandError

from tests.conftest import load_record
from tests.helpers import newer, upsert
from trials.curating import fields as curated_fields
from trials.curating import files as curation
from trials.curating.fields import CurationError
from trials.curating.services import curate
from trials.effective import effective_values
from trials.importing.sync import sync_registry
from trials.models import Curation, ImportRun, Review, Trial, TrialChange
from trials.registries.ctgov.client import RegistryClient

NUROWN = "NCT03280056"
SPAIN = "NCT02290886"
HEADER = "nct_id,field,value,note,curator\n"


@pytest.fixture
def two_trials(db):
    upsert(load_record("snapshot/2022-10", NUROWN), load_record("snapshot/2022-10", SPAIN))
    return Trial.objects.get(nct_id=NUROWN), Trial.objects.get(nct_id=SPAIN)


def in_force(trial, field):
    curation_row = Curation.objects.current().filter(trial=trial, field=field).first()
    return curation_row.value if curation_row else None


# --- The curated-field registry ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "text", "value"),
    [
        ("routes", "intrathecal; intravenous", ["intrathecal", "intravenous"]),
        ("routes", "", []),
        ("routes", "auto", None),
        ("donor", "allogeneic", "allogeneic"),
        ("is_cell_therapy", "FALSE", False),
        ("excluded", "true", True),
    ],
)
def test_a_file_value_parses_by_its_field_and_formats_back(field, text, value):
    spec = curated_fields.get(field)

    assert spec.parse(text) == value
    assert spec.parse(spec.format(value)) == value


@pytest.mark.parametrize(
    ("field", "text", "message"),
    [
        ("routes", "intrathecal;teleportation", r"unknown routes slug\(s\) teleportation"),
        ("donor", "", "unknown donor ''"),
        ("is_cell_therapy", "maybe", "takes true, false or auto"),
    ],
)
def test_a_value_outside_the_vocabulary_is_refused_with_the_reason(field, text, message):
    with pytest.raises(CurationError, match=message):
        curated_fields.get(field).parse(text)


def test_an_unknown_field_is_refused_naming_the_known_ones():
    with pytest.raises(CurationError, match="unknown field 'colour'.*routes"):
        curated_fields.get("colour")


# --- curate --------------------------------------------------------------------------


def test_curating_the_value_already_in_force_writes_nothing(two_trials):
    nurown, _spain = two_trials
    curate(trial=nurown, field_name="donor", value="allogeneic", note="a", curator_name="c")

    again = curate(trial=nurown, field_name="donor", value="allogeneic", note="b", curator_name="c")

    assert again is None
    assert Curation.objects.count() == 1
    assert TrialChange.objects.filter(kind="curation").count() == 1


def test_a_curation_without_a_note_is_refused(two_trials):
    nurown, _spain = two_trials

    with pytest.raises(CurationError, match="note"):
        curate(trial=nurown, field_name="donor", value="allogeneic", note=" ")

    assert not Curation.objects.exists()


def test_excluding_a_trial_hides_it_and_reverting_brings_it_back(two_trials):
    nurown, _spain = two_trials

    curate(trial=nurown, field_name="excluded", value=True, note="dup", curator_name="c")
    assert not Trial.objects.visible().filter(nct_id=NUROWN).exists()

    curate(trial=nurown, field_name="excluded", value=None, note="no", curator_name="c")
    assert Trial.objects.visible().filter(nct_id=NUROWN).exists()


def test_an_exclusion_survives_a_reimport(two_trials):
    nurown, _spain = two_trials
    curate(trial=nurown, field_name="excluded", value=True, note="dup", curator_name="c")

    upsert(newer(load_record("snapshot/2022-10", NUROWN)))

    nurown.refresh_from_db()
    assert nurown.excluded


# --- Curation files ---------------------------------------------------------------------------


def test_a_curation_file_applies_every_row_with_its_note_and_curator(two_trials):
    nurown, spain = two_trials
    text = (
        HEADER
        + f"{NUROWN},routes,intrathecal;intramuscular,Cohort B was intramuscular,alice\n"
        + f'{SPAIN},donor,allogeneic,"Donor cells, per the protocol",bob\n'
    )

    result = curation.apply_curation_file(text=text)

    assert (result.applied, result.unchanged) == (2, 0)
    assert nurown.facet_values("routes") == ["intramuscular", "intrathecal"]
    spain.refresh_from_db()
    assert spain.donor == "allogeneic"
    row = Curation.objects.get(trial=spain)
    assert (row.note, row.who) == ("Donor cells, per the protocol", "bob")


def test_applying_a_curation_file_twice_changes_nothing_the_second_time(two_trials):
    text = HEADER + f"{NUROWN},routes,intravenous,IV per the 2022 protocol,alice\n"
    curation.apply_curation_file(text=text)
    count = (Curation.objects.count(), TrialChange.objects.count())

    result = curation.apply_curation_file(text=text)

    assert (result.applied, result.unchanged) == (0, 1)
    assert (Curation.objects.count(), TrialChange.objects.count()) == count


def test_a_file_with_one_bad_row_is_rejected_whole_with_row_numbers_and_reasons(two_trials):
    text = (
        HEADER
        + f"{NUROWN},routes,intravenous,fine,alice\n"  # row 2: valid
        + "NCT99999999,donor,allogeneic,why,alice\n"  # row 3: not imported
        + f"{SPAIN},colour,blue,why,alice\n"  # row 4: unknown field
        + f"{SPAIN},routes,intrathecal;teleportation,why,alice\n"  # row 5: unknown slug
        + f"{SPAIN},donor,autologous,,\n"  # row 6: no note, no curator
        + f"{NUROWN},routes,intrathecal,twice,alice\n"  # row 7: duplicate of row 2
        + "NCT123,donor,autologous,why,alice\n"  # row 8: not an NCT id
    )

    with pytest.raises(curation.CurationFileError) as error:
        curation.apply_curation_file(text=text)

    rows = [row for row, _reason in error.value.problems]
    assert rows == [3, 4, 5, 6, 6, 7, 8]
    message = str(error.value)
    assert "row 3: unknown NCT id NCT99999999" in message
    assert "row 4: unknown field 'colour'" in message
    assert "row 5: unknown routes slug(s) teleportation" in message
    assert "row 6: a note saying why is required" in message
    assert "row 7: routes of NCT03280056 is already set in row 2" in message
    assert "row 8: 'NCT123' is not an NCT id" in message
    assert not Curation.objects.exists()


def test_a_curator_name_too_long_or_a_nul_is_a_row_problem_not_a_traceback(two_trials):
    text = (
        HEADER
        + f"{NUROWN},routes,intravenous,fine,{'a' * 151}\n"  # row 2: name over 150
        + f"{SPAIN},donor,allogeneic,per the\x00 paper,alice\n"  # row 3: NUL in the note
        + "NCT0229\x000886,donor,allogeneic,why,alice\n"  # row 4: NUL in the NCT id
        + f"{SPAIN},routes,intrathecal,why,{'b' * 150}\n"  # row 5: 150 is fine
    )

    with pytest.raises(curation.CurationFileError) as error:
        curation.apply_curation_file(text=text)

    assert error.value.problems == [
        (2, "the curator's name has 151 characters (at most 150)"),
        (3, "note: a NUL character (\\0) cannot be stored"),
        (4, "nct_id: a NUL character (\\0) cannot be stored"),
    ]
    assert not Curation.objects.exists()


def test_a_file_with_the_wrong_header_is_rejected(two_trials):
    with pytest.raises(curation.CurationFileError, match="row 1: the header must be"):
        curation.apply_curation_file(text="nct,field,value\nNCT03280056,donor,autologous\n")


def test_exported_curations_apply_back_to_the_same_state(two_trials, curator, tmp_path):
    nurown, spain = two_trials
    curate(trial=nurown, field_name="routes", value=[], note="no cells", curator=curator)
    curate(trial=spain, field_name="donor", value="allogeneic", note="a", curator_name="b")
    curate(trial=spain, field_name="cell_types", value=["msc"], note="x", curator_name="b")
    curate(trial=spain, field_name="cell_types", value=None, note="y", curator_name="b")
    path = tmp_path / "curations.csv"

    call_command("export_curations", "--output", str(path))

    assert path.read_text().splitlines() == [
        "nct_id,field,value,note,curator",
        "NCT02290886,donor,allogeneic,a,b",
        "NCT03280056,routes,,no cells,cora",
    ]
    assert curation.apply_curation_file(text=path.read_text()).applied == 0


def test_the_apply_command_reports_what_it_did(two_trials, tmp_path, capsys):
    path = tmp_path / "fix.csv"
    path.write_text(HEADER + f"{NUROWN},is_cell_therapy,true,NurOwn is MSC,alice\n")

    call_command("apply_curations", str(path))

    assert "applied 1 curation(s), 0 already in force" in capsys.readouterr().out


def test_the_apply_command_fails_listing_every_problem_and_applies_nothing(two_trials, tmp_path):
    path = tmp_path / "fix.csv"
    path.write_text(
        HEADER + f"{NUROWN},donor,allogeneic,ok,alice\n" + f"{SPAIN},donor,cousin,why,alice\n"
    )

    with pytest.raises(CommandError, match=r"rejected, nothing applied.*\nrow 3: unknown donor"):
        call_command("apply_curations", str(path))

    assert not Curation.objects.exists()


# --- Reviews and the review queue -------------------------------------------------------------


def test_the_review_queue_holds_unreviewed_trials_least_sure_first(two_trials):
    upsert(load_record("snapshot/2022-10", "NCT01771640"))  # a label at 0.45

    queue = list(Trial.objects.needing_review())

    assert [t.nct_id for t in queue] == ["NCT01771640", SPAIN, NUROWN]
    assert [round(t.lowest_confidence, 2) for t in queue] == [0.45, 0.8, 0.9]
    assert [t.last_reviewed_at for t in queue] == [None, None, None]


def test_a_reviewed_trial_leaves_the_queue_with_who_and_when(two_trials, curator):
    nurown, _spain = two_trials

    curation.mark_reviewed(trials=[nurown], reviewer=curator)

    assert [t.nct_id for t in Trial.objects.needing_review()] == [SPAIN]
    review = Review.objects.get()
    assert (review.trial, review.reviewer, review.text_hash) == (nurown, curator, nurown.text_hash)
    assert review.reviewed_at is not None


def test_a_trial_whose_registry_text_changed_returns_to_the_queue(two_trials, curator):
    nurown, spain = two_trials
    curation.mark_reviewed(trials=[nurown, spain], reviewer=curator)
    record = newer(load_record("snapshot/2022-10", NUROWN))
    record["protocolSection"]["descriptionModule"]["briefSummary"] += " Now also intravenous."

    upsert(record)

    assert [t.nct_id for t in Trial.objects.needing_review()] == [NUROWN]


def test_a_registry_change_outside_the_text_keeps_a_trial_reviewed(two_trials, curator):
    nurown, spain = two_trials
    curation.mark_reviewed(trials=[nurown, spain], reviewer=curator)

    upsert(newer(load_record("snapshot/2022-10", NUROWN), overallStatus="TERMINATED"))

    assert list(Trial.objects.needing_review()) == []


def test_excluded_trials_are_not_in_the_review_queue(two_trials):
    nurown, _spain = two_trials

    curate(trial=nurown, field_name="excluded", value=True, note="dup", curator_name="c")

    assert [t.nct_id for t in Trial.objects.needing_review()] == [SPAIN]


# --- The curators group -----------------------------------------------------------------------


def test_setup_curators_creates_the_group_with_exactly_its_permissions(db, capsys):
    call_command("setup_curators")

    group = Group.objects.get(name="curators")
    granted = {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}
    # Its own and those the evidence app registers for its curation screens, nothing else.
    assert granted == set(curation.curator_permissions())
    assert set(curation.CURATOR_PERMISSIONS) < granted
    assert {"evidence.change_registeredoutcome", "evidence.change_eventterm"} < granted
    assert "created with 19 permissions" in capsys.readouterr().out


def test_setup_curators_is_idempotent_and_resets_extra_permissions(db):
    call_command("setup_curators")
    group = Group.objects.get(name="curators")
    group.permissions.add(Permission.objects.get(codename="delete_trial"))

    call_command("setup_curators")

    assert Group.objects.filter(name="curators").count() == 1
    assert not group.permissions.filter(codename="delete_trial").exists()


def test_setup_curators_add_makes_a_user_a_staff_curator(django_user_model):
    user = django_user_model.objects.create_user("dana")

    call_command("setup_curators", "--add", "dana")

    user.refresh_from_db()
    assert user.is_staff and not user.is_superuser
    assert user.has_perm("trials.change_trial")
    assert not user.has_perm("trials.delete_trial")


def test_setup_curators_refuses_an_unknown_user(db):
    with pytest.raises(CommandError, match="no such user"):
        call_command("setup_curators", "--add", "nobody")


# --- Curated values survive every import --------------------------------------------------------


def sync(registry, clock, **options) -> ImportRun:
    client = RegistryClient(base_url=registry.url, sleep=clock.sleep, clock=clock.now)
    return sync_registry(client=client, **options)


def test_curated_values_survive_full_and_incremental_registry_syncs(
    fake_registry, fake_clock, curator
):
    old = load_record("snapshot/2020-07-28", NUROWN)
    current = load_record("snapshot/2022-10", NUROWN)
    registry = fake_registry([old])
    first = sync(registry, fake_clock, full=True)
    assert first.status == ImportRun.Status.SUCCEEDED
    nurown = Trial.objects.get(nct_id=NUROWN)
    curation.curate_fields(
        trial=nurown,
        values={"routes": ["intramuscular"], "donor": "allogeneic", "cell_types": ["nsc"]},
        note="Curated against the publication",
        curator=curator,
    )

    registry.studies = [current]
    incremental = sync(registry, fake_clock)
    registry.studies = [newer(current, overallStatus="TERMINATED")]
    full = sync(registry, fake_clock, full=True)

    assert (incremental.mode, incremental.updated) == ("incremental", 1)
    assert (full.mode, full.updated) == ("full", 1)
    nurown.refresh_from_db()
    assert nurown.overall_status == "TERMINATED"
    assert nurown.facet_values("routes") == ["intramuscular"]
    assert nurown.facet_values("cell_types") == ["nsc"]
    assert nurown.donor == "allogeneic"
    assert Curation.objects.filter(trial=nurown).count() == 3
    origins = effective_values(nurown)["origins"]
    assert {origins[f] for f in ("routes", "donor", "cell_types")} == {"curated"}
    status_changes = TrialChange.objects.filter(field="overall_status").order_by("pk")
    assert [c.import_run for c in status_changes] == [incremental, full]


def test_a_trial_missing_from_a_full_sync_is_flagged_in_its_history(db, fake_registry, fake_clock):
    nurown = load_record("snapshot/2022-10", NUROWN)
    spain = load_record("snapshot/2022-10", SPAIN)
    registry = fake_registry([nurown, spain])
    sync(registry, fake_clock, full=True)

    registry.studies = [spain]
    run = sync(registry, fake_clock, full=True)
    registry.studies = [copy.deepcopy(nurown), spain]
    back = sync(registry, fake_clock, full=True)

    assert run.flagged_missing == 1
    assert list(
        TrialChange.objects.filter(field="in_registry")
        .order_by("pk")
        .values_list("old_value", "new_value", "import_run")
    ) == [(True, False, run.pk), (False, True, back.pk)]
