"""The reviewer's view in a real headless browser (Debian's chromium and chromium-driver, driven
by Selenium): the seed's record page, search and facets, the database page. Skipped only when
the browser is missing and EVIDENCE_MINER_BROWSER_TESTS is not set (.ci/run sets it)."""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
REQUIRED = bool(os.environ.get("EVIDENCE_MINER_BROWSER_TESTS"))


def check_browser() -> None:
    missing = [path for path in (CHROMIUM, CHROMEDRIVER) if not Path(path).is_file()]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("the selenium package")
    if missing and not REQUIRED:
        pytest.skip(f"no headless browser: {', '.join(missing)} missing (apt-get install chromium chromium-driver)")
    assert not missing, f"EVIDENCE_MINER_BROWSER_TESTS is set but {', '.join(missing)} missing"


@pytest.fixture(scope="module")
def browser() -> Iterator:
    """Headless Chromium through its own chromedriver: Selenium downloads nothing."""
    check_browser()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                     "--window-size=1280,2000"):  # fmt: skip
        options.add_argument(argument)
    driver = webdriver.Chrome(options=options, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(30)
    yield driver
    driver.quit()


def seed_record_id(seed_db: Path) -> str:
    with sqlite3.connect(seed_db) as connection:
        return connection.execute("SELECT record_id FROM records").fetchone()[0]


def test_record_page_highlights_the_dose_in_its_sentence(browser, review_url: str, seed_db: Path) -> None:
    from selenium.webdriver.common.by import By

    browser.get(f"{review_url}/-/record/{seed_record_id(seed_db)}")
    marks = browser.find_elements(By.CSS_SELECTOR, "#doses td.review-sentence mark.review-value")
    sentences = [mark.find_element(By.XPATH, "ancestor::td").text for mark in marks]
    dose = next(mark for mark, sentence in zip(marks, sentences, strict=True)
                if sentence.startswith("Patients received intravenous IVIg (2 g/kg)"))  # fmt: skip
    assert "2 g/kg" in dose.text and dose.is_displayed()
    assert dose.value_of_css_property("background-color") not in ("rgba(0, 0, 0, 0)", "transparent")
    dose.click()  # the value's link leads to its words, marked in the article text
    anchor = browser.find_element(By.CSS_SELECTOR, "#article :target")
    target = anchor.find_element(By.XPATH, "following-sibling::mark[1]")
    assert target.text.startswith("2 g/kg") and "(10 patients" in browser.find_element(By.ID, "article").text


def test_search_finds_the_article_and_facets_count_its_values(browser, review_url: str, seed_db: Path) -> None:
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.wait import WebDriverWait

    browser.get(review_url)
    box = browser.find_element(By.ID, "review-search")
    box.send_keys("nausea")
    box.submit()
    WebDriverWait(browser, 20).until(lambda driver: "_search=nausea" in driver.current_url)
    links = browser.find_elements(By.CSS_SELECTOR, "table.rows-and-columns a.review-record")
    assert [link.text for link in links] == [seed_record_id(seed_db)]
    facets = {facet.get_attribute("data-column") for facet in browser.find_elements(By.CSS_SELECTOR, ".facet-info")}
    assert {"design", "drugs", "conditions", "year"} <= facets
    assert "immunoglobulin g" in browser.find_element(By.ID, "facet-drugs").text
    browser.find_element(By.CSS_SELECTOR, "#facet-drugs a[href*='arraycontains=prednisone']").click()
    WebDriverWait(browser, 20).until(lambda driver: "drugs__arraycontains=prednisone" in driver.current_url)
    links = browser.find_elements(By.CSS_SELECTOR, "table.rows-and-columns a.review-record")
    assert [link.text for link in links] == [seed_record_id(seed_db)]
    links[0].click()
    WebDriverWait(browser, 20).until(lambda driver: "/-/record/" in driver.current_url)
    assert browser.find_element(By.CSS_SELECTOR, "h1.review-title").text.startswith("IV immune globulin")
    browser.get(f"{review_url}/record_overview?_search=semaglutide")
    assert not browser.find_elements(By.CSS_SELECTOR, "a.review-record")


def test_database_page_lists_evidence_tables_first_and_hides_internal_ones(browser, review_url: str) -> None:
    from selenium.webdriver.common.by import By

    browser.get(review_url)
    tables = [heading.text for heading in browser.find_elements(By.CSS_SELECTOR, ".db-table h3")]
    assert tables[:4] == ["records", "pages", "interventions", "doses"]
    assert not {"crawl_runs", "apscheduler_jobs", "alembic_version", "pages_fts"} & set(tables)
