"""Anonymous visitors read; only curators write, through the admin, which needs a login; CSRF on
every form; production settings pass `check --deploy`."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.test import Client
from django.urls import reverse

from tests.conftest import load_record
from tests.helpers import upsert
from trials.models import Curation, Trial

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent
NUROWN = "NCT03280056"


@pytest.fixture
def nurown():
    upsert(load_record("snapshot/2022-10", NUROWN))
    return Trial.objects.get(nct_id=NUROWN)


def curation_post(trial) -> dict:
    return {
        "curate_donor_override": "on",
        "curate_donor": "allogeneic",
        "note": "forged",
        **{f"{p}-TOTAL_FORMS": "0" for p in ("auto_labels", "curations", "reviews", "changes")},
        **{f"{p}-INITIAL_FORMS": "0" for p in ("auto_labels", "curations", "reviews", "changes")},
    }


@pytest.mark.parametrize("name", ["changes:list", "changes:feed"])
def test_anonymous_visitors_read_the_public_pages(client, nurown, name):
    assert client.get(reverse(name)).status_code == 200


@pytest.mark.parametrize("name", ["changes:list", "changes:feed"])
def test_the_public_pages_take_no_writes(client, nurown, name):
    assert client.post(reverse(name)).status_code == 405


def test_the_admin_sends_anonymous_visitors_to_the_login(client, nurown):
    response = client.get(reverse("admin:trials_trial_change", args=[nurown.pk]))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_an_anonymous_post_to_the_admin_writes_nothing(client, nurown):
    client.post(reverse("admin:trials_trial_change", args=[nurown.pk]), curation_post(nurown))

    assert not Curation.objects.exists()


def test_staff_without_the_curators_group_can_neither_see_nor_curate(client, staff_user, nurown):
    client.force_login(staff_user)
    url = reverse("admin:trials_trial_change", args=[nurown.pk])

    assert client.get(reverse("admin:trials_trial_changelist")).status_code == 403
    assert client.get(url).status_code == 403
    assert client.post(url, curation_post(nurown)).status_code == 403
    assert not Curation.objects.exists()


def test_a_curator_can_curate(client, curator, nurown):
    client.force_login(curator)

    response = client.post(
        reverse("admin:trials_trial_change", args=[nurown.pk]), curation_post(nurown)
    )

    assert response.status_code == 302
    assert Curation.objects.get().curator == curator


@pytest.mark.parametrize(
    ("name", "with_trial"),
    [
        ("admin:auth_user_changelist", False),
        ("admin:auth_group_changelist", False),
        ("admin:trials_importrun_add", False),
        ("admin:trials_trial_delete", True),
    ],
)
def test_a_curator_cannot_manage_users_or_delete_or_add_records(
    client, curator, nurown, name, with_trial
):
    client.force_login(curator)

    response = client.get(reverse(name, args=[nurown.pk] if with_trial else []))

    assert response.status_code == 403


def test_a_forged_inline_row_cannot_bypass_the_curation_service(client, curator, nurown):
    client.force_login(curator)
    data = {
        **curation_post(nurown),
        "curate_donor_override": "",
        "curations-TOTAL_FORMS": "1",
        "curations-0-field": "donor",
        "curations-0-value": '"allogeneic"',
        "curations-0-note": "sneaky",
    }

    client.post(reverse("admin:trials_trial_change", args=[nurown.pk]), data)

    assert not Curation.objects.exists()


def test_admin_posts_need_a_csrf_token(curator, nurown):
    client = Client(enforce_csrf_checks=True)
    client.force_login(curator)

    response = client.post(
        reverse("admin:trials_trial_change", args=[nurown.pk]), curation_post(nurown)
    )

    assert response.status_code == 403
    assert not Curation.objects.exists()


def test_with_production_settings_plain_http_is_redirected_to_https(client, settings):
    settings.SECURE_SSL_REDIRECT = True

    response = client.get(reverse("changes:list"))

    assert response.status_code == 301
    assert response["Location"].startswith("https://")


def production_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("SECURE_", "DEBUG"))}
    env.update(
        DEBUG="0",
        SECRET_KEY="x7#kq2!vN9@pL4$wR8^tY1&zB6*mC3(hJ5)dF0_gS-eA+uK=oI",
        ALLOWED_HOSTS="tracker.example.org",
        **extra,
    )
    return env


def manage(*args, env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_check_deploy_is_clean_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=production_env())

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_check_deploy_warns_when_https_is_turned_off():
    env = production_env(SECURE_SSL_REDIRECT="0", SESSION_COOKIE_SECURE="0")

    result = manage("check", "--deploy", "--fail-level", "WARNING", env=env)

    assert result.returncode != 0
    assert "security.W008" in result.stderr and "security.W012" in result.stderr


def test_a_malformed_proxy_ssl_header_stops_start_up():
    env = production_env(SECURE_PROXY_SSL_HEADER="X-Forwarded-Proto")

    result = manage("check", env=env)

    assert result.returncode != 0
    assert "SECURE_PROXY_SSL_HEADER" in result.stderr
