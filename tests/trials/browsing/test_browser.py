"""The pages in a real headless Chromium: filter, follow a trial, download, read on a phone."""

import csv
import io
import time

import pytest
from django.http import QueryDict
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

from tests.conftest import load_record
from tests.helpers import upsert
from tests.trials.browsing.browser import screenshot_if_failed, start_chromium
from trials.browsing.filters import TrialFilter

pytestmark = pytest.mark.browser

RECORDS = [
    ("snapshot/2022-10", "NCT03280056"),  # NurOwn: MSC, intrathecal, phase 3
    ("snapshot/2022-10", "NCT03268603"),  # Mayo adipose MSC, intrathecal, phase 2
    ("snapshot/2022-10", "NCT04821479"),  # Hadassah MSC, intrathecal
    ("snapshot/2022-10", "NCT02290886"),  # Murcia MSC, intravenous
    ("snapshot/2020-07-28", "NCT01348451"),  # Neuralstem NSC, intraspinal
    ("snapshot/2020-07-28", "NCT02469896"),  # tocilizumab: not a cell therapy
]


@pytest.fixture
def trials(transactional_db):
    upsert(*(load_record(folder, nct_id) for folder, nct_id in RECORDS))


@pytest.fixture
def downloads(tmp_path):
    folder = tmp_path / "downloads"
    folder.mkdir()
    return folder


def _browser(request, tmp_path, downloads, javascript=True):
    driver = start_chromium(tmp_path / "profile", downloads, javascript=javascript)
    yield driver
    screenshot_if_failed(driver, request.node)
    driver.quit()


@pytest.fixture
def browser(request, tmp_path, downloads):
    yield from _browser(request, tmp_path, downloads)


@pytest.fixture
def browser_without_javascript(request, tmp_path, downloads):
    yield from _browser(request, tmp_path, downloads, javascript=False)


def wait_for(driver, condition, timeout=10):
    return WebDriverWait(driver, timeout).until(condition)


def check(driver, name: str, value: str) -> None:
    box = driver.find_element(By.CSS_SELECTOR, f'input[name="{name}"][value="{value}"]')
    label = driver.find_element(By.CSS_SELECTOR, f'label[for="{box.get_attribute("id")}"]')
    # As a person would: scroll it clear of the sticky "Apply filters" bar, then click its label.
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", label)
    label.click()
    assert box.is_selected()


def apply_filters(driver) -> None:
    before = driver.current_url
    driver.find_element(By.XPATH, '//button[normalize-space()="Apply filters"]').click()
    wait_for(driver, lambda d: d.current_url != before)


def downloaded(folder, suffix: str, timeout: float = 10):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [p for p in folder.iterdir() if p.suffix == suffix]
        if done and not any(p.name.endswith(".crdownload") for p in folder.iterdir()):
            return done[0]
        time.sleep(0.1)
    raise AssertionError(f"nothing downloaded in {folder}: {list(folder.iterdir())}")


def test_a_researcher_filters_on_two_facets_reads_a_trial_and_downloads_the_csv(
    live_server, trials, browser, downloads
):
    browser.get(f"{live_server.url}/trials/")
    assert browser.find_element(By.TAG_NAME, "h1").text == "Cell-therapy trials in ALS"

    check(browser, "cell_type", "msc")
    check(browser, "route", "intrathecal")
    apply_filters(browser)

    assert browser.current_url == f"{live_server.url}/trials/?cell_type=msc&route=intrathecal"
    expected = list(
        TrialFilter(QueryDict("cell_type=msc&route=intrathecal")).qs.values_list(
            "nct_id", flat=True
        )
    )
    heading = browser.find_element(By.ID, "results-heading").text
    assert heading == f"{len(expected)} trials"
    shown = [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".trial .nct")]
    assert shown == expected

    browser.find_element(
        By.LINK_TEXT, "Safety and Efficacy of Repeated Administrations of NurOwn® in ALS Patients"
    ).click()
    assert browser.current_url == f"{live_server.url}/trials/NCT03280056/"
    marks = [m.text for m in browser.find_elements(By.CSS_SELECTOR, "#labels mark")]
    assert "mesenchymal stem cells" in marks

    browser.back()
    browser.find_element(By.LINK_TEXT, "CSV").click()
    path = downloaded(downloads, ".csv")
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert [row["nct_id"] for row in rows] == expected
    assert all("intrathecal" in row["routes"].split(";") for row in rows)


def test_the_filters_work_without_javascript(live_server, trials, browser_without_javascript):
    browser = browser_without_javascript
    browser.get(f"{live_server.url}/trials/")

    check(browser, "route", "intravenous")
    apply_filters(browser)

    assert browser.current_url == f"{live_server.url}/trials/?route=intravenous"
    assert [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".trial .nct")] == [
        "NCT02290886"
    ]


@pytest.mark.parametrize("path", ["/", "/trials/", "/trials/NCT03280056/"])
def test_a_page_fits_a_375_pixel_phone_without_scrolling_sideways(
    live_server, trials, browser, path
):
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 375, "height": 800, "deviceScaleFactor": 2, "mobile": True},
    )
    browser.get(f"{live_server.url}{path}")

    width = browser.execute_script("return document.documentElement.scrollWidth")
    viewport = browser.execute_script("return window.innerWidth")
    assert viewport == 375
    assert width <= viewport
    if path == "/trials/":  # on a phone the filters start folded, results first
        panel = browser.find_element(By.ID, "filters-panel")
        assert panel.get_attribute("open") is None


PHONE_TABLES = """
return Array.from(document.querySelectorAll('main table, #content table')).map(table => {
  const region = table.closest('.scroll');
  const first = table.querySelector('tbody tr > :first-child');
  return {
    caption: (table.caption && table.caption.textContent) || table.className,
    right: table.getBoundingClientRect().right,
    region: region ? region.getBoundingClientRect().right : null,
    scrolls: region ? region.scrollWidth > region.clientWidth : false,
    sticky: first ? getComputedStyle(first).position : '',
    stacked: getComputedStyle(table).display === 'block',
  };
});
"""


@pytest.mark.parametrize("path", ["/evidence/", "/changes/", "/trials/NCT01363401/"])
def test_every_table_reads_on_a_390_pixel_phone(live_server, trials, browser, path):
    # The adverse events of NCT01363401 (HYNR-CS) are a wide table of groups; /evidence/ and
    # /changes/ have several. Each either fits, stacks its rows, or scrolls inside its own region
    # with the first column held in view, so the page never scrolls sideways.
    upsert(load_record("snapshot/2020-07-28", "NCT01363401"))
    browser.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": 390, "height": 844, "deviceScaleFactor": 3, "mobile": True},
    )
    browser.get(f"{live_server.url}{path}")

    viewport = browser.execute_script("return window.innerWidth")
    tables = browser.execute_script(PHONE_TABLES)

    assert viewport == 390
    assert browser.execute_script("return document.documentElement.scrollWidth") <= viewport
    assert browser.execute_script("return document.body.scrollWidth") <= viewport
    assert tables
    for table in tables:
        if table["stacked"]:
            continue
        if table["region"] is None:
            assert table["right"] <= viewport, table
        else:
            assert table["region"] <= viewport, table
            if table["scrolls"]:
                assert table["sticky"] == "sticky", table  # the first column stays in view


def test_the_skip_link_is_the_first_stop_of_the_keyboard_and_leads_to_the_content(
    live_server, trials, browser
):
    browser.get(f"{live_server.url}/trials/")

    browser.find_element(By.TAG_NAME, "body").send_keys(Keys.TAB)
    focused = browser.switch_to.active_element
    assert focused.text == "Skip to main content"
    focused.send_keys(Keys.ENTER)

    assert browser.current_url.endswith("#content")
    assert browser.switch_to.active_element.get_attribute("id") == "content"


def test_every_form_control_of_the_list_has_a_label(live_server, trials, browser):
    browser.get(f"{live_server.url}/trials/")

    unlabelled = browser.execute_script(
        """
        return [...document.querySelectorAll('input, select, textarea')]
          .filter(el => el.type !== 'hidden' && el.labels.length === 0
                        && !el.getAttribute('aria-label'))
          .map(el => el.name + '=' + el.value);
        """
    )
    assert unlabelled == []
    assert len(browser.find_elements(By.TAG_NAME, "h1")) == 1


def test_the_api_docs_render_from_local_assets(live_server, db, browser):
    browser.get(f"{live_server.url}/api/docs/")

    operations = wait_for(
        browser,
        lambda driver: driver.find_elements(By.CSS_SELECTOR, ".opblock-summary-path"),
    )
    assert "/api/trials/" in [o.text.replace("\u200b", "") for o in operations]
