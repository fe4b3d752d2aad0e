"""/changes/ and its Atom feed: the recent changes of the trials the shared TrialFilter selects,
paginated; bad parameters get a readable 400, never a 500."""

import xml.etree.ElementTree as ET

import pytest
from django.urls import reverse

from tests.conftest import load_record
from tests.helpers import newer, upsert
from trials.browsing import changes
from trials.curating.services import curate
from trials.models import Trial

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
NUROWN = "NCT03280056"  # intrathecal (automatic)
SPAIN = "NCT02290886"  # intravenous (automatic)
DRUG = "NCT02469896"  # tocilizumab: not a cell therapy


@pytest.fixture
def three_trials():
    upsert(
        load_record("snapshot/2022-10", NUROWN),
        load_record("snapshot/2022-10", SPAIN),
        load_record("snapshot/2020-07-28", DRUG),
    )
    upsert(newer(load_record("snapshot/2022-10", NUROWN), overallStatus="TERMINATED"))
    curate(
        trial=Trial.objects.get(nct_id=SPAIN),
        field_name="donor",
        value="allogeneic",
        note="Donor cells per the 2021 publication",
        curator_name="alice",
    )


def listed(response) -> list[tuple[str, str]]:
    return [(e.trial.nct_id, e.title) for e in response.context["entries"]]


def test_the_change_list_shows_recent_changes_of_cell_therapies_newest_first(client, three_trials):
    response = client.get(reverse("changes:list"))

    assert response.status_code == 200
    assert listed(response) == [
        (SPAIN, "Donor corrected by a curator"),
        (NUROWN, "Status changed"),
        (SPAIN, "First seen in the registry"),
        (NUROWN, "First seen in the registry"),
    ]
    html = response.content.decode()
    assert "Donor cells per the 2021 publication" in html
    assert "Completed → Terminated" in html


def test_the_change_list_takes_the_trial_list_filters(client, three_trials):
    by_route = client.get(reverse("changes:list"), {"route": "intrathecal"})
    every_study = client.get(reverse("changes:list"), {"scope": "all", "q": "tocilizumab"})

    assert {nct for nct, _ in listed(by_route)} == {NUROWN}
    assert {nct for nct, _ in listed(every_study)} == {DRUG}


def test_the_change_list_filters_by_kind_of_change(client, three_trials):
    response = client.get(reverse("changes:list"), {"kind": "curation"})

    assert listed(response) == [(SPAIN, "Donor corrected by a curator")]


def test_changes_of_excluded_trials_are_not_listed(client, three_trials):
    curate(
        trial=Trial.objects.get(nct_id=NUROWN),
        field_name="excluded",
        value=True,
        note="dup",
        curator_name="a",
    )

    response = client.get(reverse("changes:list"))

    assert NUROWN not in {nct for nct, _ in listed(response)}


def test_the_change_list_is_paginated(client, three_trials, monkeypatch):
    monkeypatch.setattr(changes, "PAGE_SIZE", 2)

    first = client.get(reverse("changes:list"))
    second = client.get(reverse("changes:list"), {"page": 2})
    beyond = client.get(reverse("changes:list"), {"page": 99})

    assert [title for _, title in listed(first)] == [
        "Donor corrected by a curator",
        "Status changed",
    ]
    assert listed(second) == [
        (SPAIN, "First seen in the registry"),
        (NUROWN, "First seen in the registry"),
    ]
    assert listed(beyond) == listed(second)  # past the end: the last page


def test_pages_link_to_each_other_with_the_same_filters(client, three_trials, monkeypatch):
    monkeypatch.setattr(changes, "PAGE_SIZE", 1)

    response = client.get(reverse("changes:list"), {"cell_type": "msc"})

    assert response.context["page"].paginator.num_pages == 4
    assert 'href="?cell_type=msc&amp;page=2"' in response.content.decode()


@pytest.mark.parametrize(
    "query",
    [
        {"route": "teleportation"},
        {"enrollment_min": "lots"},
        {"page": "last"},
        {"kind": "gossip"},
        {"start_year_min": "99999"},
    ],
)
def test_bad_parameters_get_a_readable_400_not_a_500(client, three_trials, query):
    page = client.get(reverse("changes:list"), query)
    feed = client.get(reverse("changes:feed"), query)

    name = next(iter(query))
    assert page.status_code == 400
    assert "not valid" in page.content.decode() and name in page.content.decode()
    assert feed.status_code == 400
    assert feed["Content-Type"].startswith("text/plain")
    assert name in feed.content.decode()


def test_the_feed_is_atom_with_one_entry_per_change_of_the_filtered_trials(client, three_trials):
    response = client.get(reverse("changes:feed"), {"route": "intravenous"})

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    feed = ET.fromstring(response.content)
    entries = feed.findall(f"{ATOM}entry")
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    assert titles == [
        f"{SPAIN}: Donor corrected by a curator",
        f"{SPAIN}: First seen in the registry",
    ]
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == len(ids)
    assert entries[0].findtext(f"{ATOM}author/{ATOM}name") == "alice"
    assert "Donor cells per the 2021 publication" in entries[0].findtext(f"{ATOM}summary")


def test_the_feed_links_back_to_the_same_search(client, three_trials):
    response = client.get(reverse("changes:feed"), {"route": "intravenous"})

    feed = ET.fromstring(response.content)
    links = {link.get("rel"): link.get("href") for link in feed.findall(f"{ATOM}link")}
    assert links["alternate"].endswith("/changes/?route=intravenous")
    assert links["self"].endswith("/feeds/changes/?route=intravenous")


def test_the_change_list_offers_the_feed_of_the_same_search(client, three_trials):
    response = client.get(reverse("changes:list"), {"route": "intravenous"})

    assert 'href="/feeds/changes/?route=intravenous"' in response.content.decode()
