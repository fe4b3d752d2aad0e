"""Issue 14: the admin login is throttled (django-axes): after AXES_FAILURE_LIMIT wrong passwords
the right one is refused for the cool-off, with a message that says so."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.conf import settings
from django.contrib.auth import get_user_model
from django.test import Client
from django.utils import timezone

pytestmark = pytest.mark.django_db

LOGIN = "/admin/login/"
PASSWORD = "correct horse battery staple"


@pytest.fixture
def admin_user(settings):
    # A fast hasher: the throttling, not the hashing, is under test.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    return get_user_model().objects.create_user(
        "ada", password=PASSWORD, is_staff=True, is_superuser=True
    )


def log_in(client, password, username="ada", **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def test_the_right_password_logs_in(client, admin_user):
    response = log_in(client, PASSWORD)

    assert response.status_code == 302
    assert client.get("/admin/").status_code == 200


def test_after_the_limit_the_right_password_is_refused_with_a_clear_message(client, admin_user):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        assert log_in(client, "wrong").status_code == 200  # the form again, with its error
    assert log_in(client, "wrong").status_code == 429

    response = log_in(client, PASSWORD)

    assert response.status_code == 429
    text = response.content.decode()
    assert "Too many failed logins" in text
    assert f"{settings.AXES_FAILURE_LIMIT} wrong passwords were given for “ada”" in text
    assert "refused, even with the right password, for 15 minutes" in text
    assert client.get("/admin/").status_code == 302  # not logged in


def test_one_failure_fewer_than_the_limit_still_lets_the_right_password_in(client, admin_user):
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        log_in(client, "wrong")

    assert log_in(client, PASSWORD).status_code == 302


def test_the_lock_is_lifted_after_the_cool_off(client, admin_user):
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(client, "wrong")
    assert log_in(client, PASSWORD).status_code == 429
    cool_off = timedelta(minutes=settings.AXES_COOLOFF_MINUTES, seconds=1)
    AccessAttempt.objects.update(attempt_time=timezone.now() - cool_off)

    assert log_in(client, PASSWORD).status_code == 302


def test_the_lock_holds_the_username_from_that_address_only(admin_user):
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(attacker, "wrong")

    assert log_in(attacker, PASSWORD).status_code == 429
    assert log_in(Client(REMOTE_ADDR="198.51.100.7"), PASSWORD).status_code == 302


def test_behind_a_proxy_the_address_is_the_one_it_forwards(admin_user, settings):
    settings.CLIENT_IP_HEADER = "HTTP_X_REAL_IP"
    proxy = Client(REMOTE_ADDR="127.0.0.1")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        log_in(proxy, "wrong", HTTP_X_REAL_IP="203.0.113.9")

    assert log_in(proxy, PASSWORD, HTTP_X_REAL_IP="203.0.113.9").status_code == 429
    assert log_in(proxy, PASSWORD, HTTP_X_REAL_IP="198.51.100.7").status_code == 302
