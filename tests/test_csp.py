"""Issue 14: every response carries a Content-Security-Policy that the pages and the API docs keep.

The header is checked on every public page; a real Chromium then loads the pages and the API
docs and reports every violation (a blocked script or style would break them silently).
"""

import pytest
from django.conf import settings
from selenium.webdriver.support.ui import WebDriverWait

from tests.conftest import load_record
from tests.helpers import upsert
from tests.trials.browsing.browser import screenshot_if_failed, start_chromium

NUROWN = "NCT03280056"
PAGES = ["/", "/trials/", f"/trials/{NUROWN}/", "/evidence/", "/changes/", "/admin/login/"]

# Registered before any page script runs; the injected script itself is not under the policy.
COLLECT_VIOLATIONS = """
window.__violations = [];
document.addEventListener('securitypolicyviolation', (e) => {
  window.__violations.push(`${e.violatedDirective} blocked ${e.blockedURI || 'inline'}`);
});
"""


@pytest.mark.django_db
@pytest.mark.parametrize("url", [*PAGES, "/api/trials/", "/api/docs/", "/trials/export.csv"])
def test_every_response_has_the_policy(client, url):
    upsert(load_record("snapshot/2022-10", NUROWN))

    assert client.get(url)["Content-Security-Policy"] == settings.CONTENT_SECURITY_POLICY


def test_the_policy_allows_only_the_sites_own_files():
    policy = dict(part.split(" ", 1) for part in settings.CONTENT_SECURITY_POLICY.split("; "))

    assert policy["default-src"] == policy["script-src"] == policy["style-src"] == "'self'"
    assert policy["object-src"] == policy["base-uri"] == "'none'"
    assert policy["frame-ancestors"] == "'none'"


@pytest.fixture
def browser(request, tmp_path):
    driver = start_chromium(tmp_path / "profile", tmp_path / "downloads")
    driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": COLLECT_VIOLATIONS})
    yield driver
    screenshot_if_failed(driver, request.node)
    driver.quit()


def violations_after(driver, url: str, ready_script: str = "return true") -> list[str]:
    driver.get(url)
    try:
        WebDriverWait(driver, 20).until(lambda d: d.execute_script(ready_script))
    except Exception:
        print(driver.execute_script("return window.__violations"), driver.get_log("browser"))
        raise
    return driver.execute_script("return window.__violations")


@pytest.mark.browser
def test_the_pages_keep_the_policy(live_server, transactional_db, browser):
    upsert(load_record("snapshot/2022-10", NUROWN))

    for page in PAGES:
        assert violations_after(browser, live_server.url + page) == [], page


@pytest.mark.browser
def test_swagger_ui_keeps_the_policy_and_shows_the_api(live_server, transactional_db, browser):
    ready = "return !!document.querySelector('.swagger-ui .opblock')"

    assert violations_after(browser, live_server.url + "/api/docs/", ready) == []
    assert "List trials" in browser.page_source


@pytest.mark.django_db
def test_only_the_redoc_page_allows_inline_styles_and_still_no_inline_script(client):
    policy = client.get("/api/redoc/")["Content-Security-Policy"]

    assert "style-src 'self' 'unsafe-inline'" in policy
    assert "script-src 'self';" in policy
    assert "unsafe-inline" not in client.get("/api/docs/")["Content-Security-Policy"]


@pytest.mark.browser
def test_redoc_keeps_its_policy_and_shows_the_api(live_server, transactional_db, browser):
    ready = "return !!document.querySelector('.api-content h2')"

    violations = violations_after(browser, live_server.url + "/api/redoc/", ready)

    # Redoc's "powered by" footer shows Redocly's logo from their CDN: the policy blocks that
    # fetch, as it should (the page loads nothing from elsewhere); nothing else is blocked.
    assert violations in ([], ["img-src blocked https://cdn.redoc.ly/redoc/logo-mini.svg"])
    assert "List trials" in browser.page_source
