import json
from pathlib import Path

import pytest

pytest_plugins = ["tests.fakeregistry", "tests.people"]

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def load_record(folder: str, nct_id: str) -> dict:
    """A real registry record from fixtures/: load_record("snapshot/2022-10", "NCT03280056")."""
    return json.loads((FIXTURES / folder / f"{nct_id}.json").read_text(encoding="utf-8"))


def all_record_paths() -> list[Path]:
    return sorted(FIXTURES.glob("*/*/NCT*.json"))


@pytest.fixture
def record():
    return load_record


def pytest_configure(config):
    """The test client and the browser tests' live server speak plain HTTP, which production
    settings (DEBUG off, as in CI) redirect to HTTPS. Set for the whole session, before the live
    server loads its middleware; tests/test_security.py turns the redirect back on to check it."""
    from django.conf import settings

    settings.SECURE_SSL_REDIRECT = False
    # Static files straight from the source folders, as with DEBUG on: tests run no collectstatic
    # (tests/test_static.py checks the collected production files on their own).
    settings.STATIC_ROOT = None
    settings.WHITENOISE_USE_FINDERS = True


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    """Keep each phase's report on the test item, so a fixture can tell that its test failed."""
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(autouse=True)
def fresh_facet_index():
    """Each test builds its own facet index: a rolled-back test may leave ids to be reused."""
    from trials.browsing import facet_index

    facet_index._current.clear()
    yield
    facet_index._current.clear()
