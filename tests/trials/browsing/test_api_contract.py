"""Issue 14: schemathesis holds the API to its OpenAPI schema: no 5xx, every answer as declared.

Bounded in time for the suite: a few examples per operation (SCHEMATHESIS_MAX_EXAMPLES raises
it), positive and negative (values the schema forbids must be refused), against the bundled
snapshot, with every check schemathesis has on by default (no 5xx, status codes, content types,
response bodies and headers as declared, schema-valid requests accepted).
"""

import json
import os

import pytest
import schemathesis
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from drf_spectacular.generators import SchemaGenerator
from drf_spectacular.renderers import OpenApiJsonRenderer
from hypothesis import HealthCheck, settings

pytestmark = pytest.mark.django_db

# schemathesis's WSGI client sends Host: localhost.
HOST = "localhost"
# Examples per operation and generation mode: small for the suite; raise it for a deeper search.
MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "20"))


def api_schema():
    """The schema /api/schema/ serves, loaded without a request (the test database is not up
    yet when the tests are collected; the schema needs none)."""
    document = json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(public=True)))
    schema = schemathesis.openapi.from_dict(document)
    schema.app = WSGIHandler()
    return schema


schema = api_schema()


@pytest.fixture
def in_the_test_transaction():
    """Keep the database connection across requests, as Django's test client does: the WSGI
    handler would close it at the end of each one, and the test transaction with it."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
def test_the_api_answers_as_its_schema_says(case, snapshot, settings, in_the_test_transaction):
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, HOST]

    case.call_and_validate()
