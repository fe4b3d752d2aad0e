"""Issue 14: request errors are logged to standard error with the request id the response names."""

import io
import logging

import pytest
from django.test import Client

from config.middleware import RequestIdFilter
from trials.browsing import views

pytestmark = pytest.mark.django_db


@pytest.fixture
def log_lines():
    """What the console handler (standard error) writes during the test."""
    [handler] = [
        h
        for h in logging.getLogger("django.request").handlers
        if any(isinstance(f, RequestIdFilter) for f in h.filters)
    ]
    stream = io.StringIO()
    previous = handler.setStream(stream)
    yield stream
    handler.setStream(previous)


def broken(*args, **kwargs):
    raise RuntimeError("the overview broke")


def test_a_server_error_is_logged_with_its_traceback_and_request_id(monkeypatch, log_lines):
    monkeypatch.setattr(views.selectors, "overview", broken)

    response = Client(raise_request_exception=False).get("/")

    request_id = response["X-Request-ID"]
    assert response.status_code == 500
    assert f"ERROR django.request [{request_id}]: Internal Server Error: /" in log_lines.getvalue()
    assert "RuntimeError: the overview broke" in log_lines.getvalue()
    assert request_id in response.content.decode()  # the 500 page names it, to be quoted


def test_the_proxys_request_id_is_kept_and_an_ill_formed_one_replaced(client):
    assert client.get("/", HTTP_X_REQUEST_ID="abc-123")["X-Request-ID"] == "abc-123"
    assert client.get("/", HTTP_X_REQUEST_ID="a b\x7f")["X-Request-ID"] != "a b\x7f"


def test_a_refused_host_is_logged_by_django_security_with_the_request_id(log_lines, settings):
    settings.ALLOWED_HOSTS = ["tracker.example.org"]

    response = Client(raise_request_exception=False).get("/", HTTP_HOST="evil.example")

    assert response.status_code == 400
    line = next(ln for ln in log_lines.getvalue().splitlines() if "django.security" in ln)
    assert f"[{response['X-Request-ID']}]" in line
    assert "Invalid HTTP_HOST header" in line


def test_a_refused_query_is_logged_as_a_warning_with_the_request_id(client, log_lines):
    response = client.get("/changes/?country=%00")

    assert response.status_code == 400
    assert f"WARNING django.request [{response['X-Request-ID']}]: Bad Request: /changes/" in (
        log_lines.getvalue()
    )
