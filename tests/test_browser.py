"""The web page in a real browser: headless Chromium (Debian's `chromium` and
`chromium-driver`) driven by Selenium against a real `migdocs serve` process on loopback.

Skipped, with the reason, only when Chromium or its driver is not installed; `.ci/run`
installs both and sets MIGDOCS_REQUIRE_BROWSER=1, so in CI a missing browser fails instead.
MIGDOCS_SCREENSHOT=docs/web-search.png saves the search page's screenshot there.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.web_helpers import migdocs_serve

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
if not (CHROMIUM and CHROMEDRIVER):
    if os.environ.get("MIGDOCS_REQUIRE_BROWSER") == "1":
        raise RuntimeError("MIGDOCS_REQUIRE_BROWSER=1 but chromium or chromedriver is not "
                           "installed; apt-get install chromium chromium-driver")
    pytest.skip("browser tests need Debian's chromium and chromium-driver "
                "(apt-get install chromium chromium-driver)", allow_module_level=True)

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.remote.webdriver import WebDriver  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import WebDriverWait  # noqa: E402

#: As root, in a container, offline: no sandbox, no GPU, no /dev/shm, nothing phoning home.
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                  "--disable-background-networking", "--disable-component-update",
                  "--disable-sync", "--no-first-run", "--window-size=1280,900"]


@pytest.fixture(scope="module")
def server(corpus_home: Path) -> Iterator[str]:
    with migdocs_serve(corpus_home) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[WebDriver]:
    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM  # type: ignore[assignment]
    profile = tempfile.mkdtemp(prefix="migdocs-chromium-")
    for flag in CHROMIUM_FLAGS + [f"--user-data-dir={profile}"]:
        options.add_argument(flag)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=options)
    driver.set_page_load_timeout(60)
    try:
        yield driver
    finally:
        driver.quit()
        shutil.rmtree(profile, ignore_errors=True)


def wait(driver: WebDriver, condition, timeout: float = 30):
    return WebDriverWait(driver, timeout).until(condition)


def click(driver: WebDriver, css: str) -> None:
    element = wait(driver, EC.element_to_be_clickable((By.CSS_SELECTOR, css)))
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
    element.click()


def test_search_filter_open_a_document_follow_a_badge_and_compare(browser: WebDriver, server: str,
                                                                  tmp_path: Path) -> None:
    browser.get(server + "/")
    box = wait(browser, EC.presence_of_element_located((By.ID, "q")))
    assert browser.switch_to.active_element == box  # the box has the focus: type at once
    box.send_keys("migration", Keys.ENTER)
    wait(browser, EC.url_contains("/search?q=migration"))
    heading = browser.find_element(By.CSS_SELECTOR, "h1.count").text
    assert re.match(r"\d+ documents for “migration”\n", heading)

    shot = tmp_path / "search.png"
    browser.save_screenshot(str(shot))
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    if os.environ.get("MIGDOCS_SCREENSHOT"):
        shutil.copyfile(shot, os.environ["MIGDOCS_SCREENSHOT"])

    french = int(browser.find_element(By.CSS_SELECTOR, 'a[data-filter="lang=fr"] .count').text)
    click(browser, 'a[data-filter="lang=fr"]')
    wait(browser, EC.url_contains("lang=fr"))
    assert browser.find_element(By.CSS_SELECTOR, ".facet li.active").text.startswith("French")
    hits = browser.find_elements(By.CSS_SELECTOR, ".hit")
    assert len(hits) == min(french, 10)
    assert all("FR" in h.find_element(By.CSS_SELECTOR, ".badges").text.split() for h in hits)

    click(browser, 'a[data-filter="session=I"]')
    wait(browser, EC.url_contains("session=I"))
    hits = browser.find_elements(By.CSS_SELECTOR, ".hit")
    for hit in hits:
        sessions = re.search(r"sessions? ([IVX, ]+)", hit.find_element(By.CSS_SELECTOR, ".meta").text)
        assert sessions and "I" in [s.strip() for s in sessions.group(1).split(",")]
    symbol = hits[0].find_element(By.CSS_SELECTOR, "a.symbol").text

    click(browser, ".hit a.symbol")
    wait(browser, EC.url_contains("/documents/" + symbol))
    assert browser.find_element(By.CSS_SELECTOR, "h1 .symbol").text == symbol
    assert "Sessions" in browser.find_element(By.CSS_SELECTOR, "dl.facts").text

    browser.back()
    click(browser, ".facet li.active a[aria-label^='Remove filter session']")
    wait(browser, lambda d: "session=" not in d.current_url)
    four = next(h for h in browser.find_elements(By.CSS_SELECTOR, ".hit")
                if h.find_element(By.CSS_SELECTOR, ".badges").text.split() == ["AR", "EN", "ES", "FR"])
    badge = four.find_element(By.CSS_SELECTOR, 'a.badge[href$="#version-es"]')
    address = badge.get_attribute("href")
    badge.click()
    wait(browser, EC.url_to_be(address))
    target = browser.execute_script("return document.querySelector(':target').id")
    assert target == "version-es"
    assert "Spanish" in browser.find_element(By.ID, "version-es").text

    click(browser, "a.button[href$='/parallel']")
    wait(browser, EC.presence_of_element_located((By.CSS_SELECTOR, "table.parallel")))
    columns = [th.text for th in browser.find_elements(By.CSS_SELECTOR, "table.parallel thead th")]
    assert columns == ["Page", "Arabic", "English", "Spanish", "French"]
    assert browser.find_elements(By.CSS_SELECTOR, "table.parallel tbody tr")


def test_an_arabic_query_typed_in_the_box_shows_snippets_right_to_left(browser: WebDriver,
                                                                         server: str) -> None:
    browser.get(server + "/")
    box = wait(browser, EC.presence_of_element_located((By.ID, "q")))
    box.send_keys("العمال المهاجرين", Keys.ENTER)
    wait(browser, EC.url_contains("/search?q="))
    snippet = wait(browser, EC.presence_of_element_located((By.CSS_SELECTOR, '.snippet[lang="ar"]')))
    assert snippet.value_of_css_property("direction") == "rtl"
    assert snippet.find_elements(By.TAG_NAME, "mark")
    page = browser.find_element(By.TAG_NAME, "main")
    assert page.value_of_css_property("direction") == "ltr"  # inside a left-to-right page
    # Laid out right to left: the snippet's first word sits at its right edge.
    first_right, box_right = browser.execute_script(
        "const s = arguments[0]; const r = document.createRange();"
        "r.setStart(s.firstChild, 0); r.setEnd(s.firstChild, 3);"
        "return [r.getBoundingClientRect().right, s.getBoundingClientRect().right];", snippet)
    assert box_right - first_right < 20

    browser.get(server + "/documents/A/69/767/parallel")
    cell = browser.find_element(By.CSS_SELECTOR, 'td[lang="ar"]')
    assert cell.value_of_css_property("direction") == "rtl"


def test_autocomplete_fills_suggestions_as_you_type(browser: WebDriver, server: str) -> None:
    browser.get(server + "/")
    box = wait(browser, EC.presence_of_element_located((By.ID, "q")))
    box.send_keys("UN/POP/MIG-16CM/2018/1")
    wait(browser, lambda d: d.find_elements(By.CSS_SELECTOR, "#suggestions option"))
    values = [o.get_attribute("value") for o in browser.find_elements(By.CSS_SELECTOR, "#suggestions option")]
    assert values[0] == "UN/POP/MIG-16CM/2018/1"


def test_the_page_is_usable_from_the_keyboard_and_on_a_phone(browser: WebDriver, server: str) -> None:
    browser.get(server + "/search?q=migration")
    labels = {el.get_attribute("for") for el in browser.find_elements(By.CSS_SELECTOR, "label")}
    assert {"q", "sort", "limit"} <= labels
    body = browser.find_element(By.TAG_NAME, "body")
    body.send_keys(Keys.TAB)  # the first Tab reaches the skip link
    assert browser.switch_to.active_element.text == "Skip to the content"
    browser.set_window_size(390, 844)
    try:
        overflow = browser.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0  # no sideways scrolling on a phone
    finally:
        browser.set_window_size(1280, 900)
