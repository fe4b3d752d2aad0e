"""Without a browser the browser tests skip on a developer's machine and fail in CI."""

import pytest
from _pytest.outcomes import Failed, Skipped

from tests.trials.browsing import browser


@pytest.fixture
def no_browser(monkeypatch):
    monkeypatch.setattr(browser, "chromium_paths", lambda: (None, None))


def test_a_machine_without_chromium_skips_with_the_install_command(
    no_browser, monkeypatch, tmp_path
):
    monkeypatch.delenv("REQUIRE_BROWSER", raising=False)

    with pytest.raises(Skipped, match="apt-get install -y chromium chromium-driver"):
        browser.start_chromium(tmp_path / "profile", tmp_path / "downloads")


def test_require_browser_turns_a_missing_chromium_into_a_failure(no_browser, monkeypatch, tmp_path):
    monkeypatch.setenv("REQUIRE_BROWSER", "1")

    with pytest.raises(Failed, match="REQUIRE_BROWSER=1"):
        browser.start_chromium(tmp_path / "profile", tmp_path / "downloads")
