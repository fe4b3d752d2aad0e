"""A real headless Chromium for the browser tests (Debian's chromium and chromium-driver).

The machine has no network, so Chromium starts with everything that would reach out switched
off and a fresh profile. Without chromium the tests skip with the command that installs it, so
that `make test` passes on a fresh machine where no browser can be installed without root;
REQUIRE_BROWSER=1 (which .ci/run sets) turns that skip into a failure, so CI never skips them.
A failing test leaves a screenshot in test-artifacts/ (gitignored).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,900",
]


def chromium_paths() -> tuple[str | None, str | None]:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    return browser, shutil.which("chromedriver")


def start_chromium(profile: Path, downloads: Path, *, javascript: bool = True):
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service

    browser, driver_path = chromium_paths()
    if not (browser and driver_path):
        message = (
            "no chromium/chromedriver here: as root, apt-get install -y chromium chromium-driver"
        )
        if os.environ.get("REQUIRE_BROWSER") == "1":
            pytest.fail(f"REQUIRE_BROWSER=1 and {message}", pytrace=False)
        pytest.skip(message)
    options = Options()
    options.binary_location = browser
    for flag in [*CHROMIUM_FLAGS, f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    prefs = {"download.default_directory": str(downloads), "download.prompt_for_download": False}
    if not javascript:
        prefs["profile.managed_default_content_settings.javascript"] = 2
    options.add_experimental_option("prefs", prefs)
    driver = webdriver.Chrome(service=Service(executable_path=driver_path), options=options)
    driver.set_page_load_timeout(30)
    driver.execute_cdp_cmd(
        "Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(downloads)}
    )
    return driver


def screenshot_if_failed(driver, node) -> None:
    report = getattr(node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        path = ARTIFACTS / f"{node.name}.png"
        driver.save_screenshot(str(path))
        print(f"screenshot of the failure: {path}")
