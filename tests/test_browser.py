"""The built book in a real browser (Debian's chromium driven by Playwright), with no network.

Every page loads without JavaScript errors, makes no request that leaves the machine, shows
all its images, gives every chart alt text, and has no serious or critical accessibility
violation (axe-core). The claims ledger's search works.
"""

import functools
import threading
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import sync_playwright

from pages import ledger_page_records

CHROMIUM = "/usr/bin/chromium"
# The theme logs these two on every page; they are harmless (see ../README, tests section).
KNOWN_THEME_MESSAGES = ("Identifier 'THEBE_JS_URL' has already been declared", "Got invalid theme mode")
LOCAL_SCHEMES = ("data:", "blob:", "about:")


class QuietHandler(SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def is_redirect(path: Path) -> bool:
    return 'http-equiv="Refresh"' in path.read_text(encoding="utf-8")[:300]


def book_pages(book_html: Path) -> list[Path]:
    """Every page a reader can open, except index.html, which only redirects to the front page."""
    skip = {"_static", "_sources", "_images", "_downloads", "figures", "data"}
    return sorted(p for p in book_html.rglob("*.html")
                  if not skip & set(p.relative_to(book_html).parts) and not is_redirect(p))


@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is missing: `make test` installs it")
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield browser
        browser.close()


@pytest.fixture(scope="module")
def site(book_html):
    """The book served from this machine over HTTP, as a reader's local copy or intranet serves it."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(QuietHandler, directory=str(book_html)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/"
    server.shutdown()


def url(site: str, book_html: Path, path: Path) -> str:
    return site + path.relative_to(book_html).as_posix()


@pytest.fixture(scope="module")
def visits(browser, book_html, site):
    """Open every page once; record errors, requests, images and accessibility violations."""
    axe = Axe()
    results = {}
    for path in book_pages(book_html):
        page = browser.new_page()
        errors, requests = [], []
        page.on("console", lambda m: m.type == "error" and errors.append(m.text))
        page.on("pageerror", lambda e: errors.append(str(e)))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(url(site, book_html, path), wait_until="load")
        images = page.eval_on_selector_all(
            "img", "els => els.map(e => ({src: e.getAttribute('src'), ok: e.complete && e.naturalWidth > 0}))")
        # The chart font's faces: the ones the charts use must have loaded.
        fonts = page.evaluate("""async () => { await document.fonts.ready;
            return [...document.fonts].filter(f => f.family.includes('NKReport')).map(f => f.weight + ' ' + f.status); }""")
        charts = page.locator("svg.nkreport-chart").count()
        # preload off: axe would re-fetch stylesheets and resolve their @imports wrongly (404s).
        report = axe.run(page, options={"resultTypes": ["violations"], "preload": False})
        violations = [v for v in report.response["violations"] if v["impact"] in ("serious", "critical")]
        results[path.relative_to(book_html).as_posix()] = {
            "errors": [e for e in errors if not any(k in e for k in KNOWN_THEME_MESSAGES)],
            "remote": [u for u in requests if not u.startswith((site, *LOCAL_SCHEMES))],
            "images": images,
            "charts": charts,
            "fonts": fonts,
            "violations": [(v["id"], v["impact"], len(v["nodes"])) for v in violations],
        }
        page.close()
    return results


def test_every_page_was_visited(visits):
    assert len(visits) >= 10 and "chapters/ledger.html" in visits


def test_no_page_has_a_javascript_error(visits):
    assert {p: v["errors"] for p, v in visits.items() if v["errors"]} == {}


def test_no_page_requests_anything_from_the_network(visits):
    assert {p: v["remote"] for p, v in visits.items() if v["remote"]} == {}


def test_every_image_loads(visits):
    broken = {p: [i["src"] for i in v["images"] if not i["ok"]] for p, v in visits.items()}
    assert {p: b for p, b in broken.items() if b} == {}


def test_charts_are_set_in_the_chart_font(visits):
    chart_pages = {p: v["fonts"] for p, v in visits.items() if v["charts"]}
    assert len(chart_pages) >= 8
    assert {p: f for p, f in chart_pages.items() if sorted(f) != ["400 loaded", "700 loaded"]} == {}


def test_no_serious_accessibility_violation(visits):
    assert {p: v["violations"] for p, v in visits.items() if v["violations"]} == {}


def test_every_chart_has_alt_text(browser, book_html, site):
    for path in book_pages(book_html):
        page = browser.new_page()
        page.goto(url(site, book_html, path))
        charts = page.eval_on_selector_all(
            "figure[id^='fig-']", "els => els.map(e => e.querySelector('svg[aria-label]')?.getAttribute('aria-label') || '')")
        assert all(len(a.strip()) > 60 for a in charts), path.name
        page.close()


def all_rows_loaded(page) -> None:
    page.wait_for_function("document.querySelector('.ledger-loading').textContent === ''")


def test_the_ledger_search_filters_rows_from_the_data(browser, book_html, site, ledger):
    page = browser.new_page()
    page.goto(site + "chapters/ledger.html")
    all_rows_loaded(page)
    records = ledger_page_records(book_html)
    total = len(records)
    assert page.inner_text("#ledger-count") == f"{total} claims"
    # Only the rows on screen are in the table, never the whole ledger.
    rendered = page.locator("table.ledger-table tbody tr").count()
    assert 0 < rendered < total
    # Every word must match one of a row's columns, over every row of the data, rendered or not.
    page.fill("#ledger-search", "NIS troops")
    expected = [r for r in records if all(w in search_text(r) for w in ("nis", "troops"))]
    page.wait_for_function(f"document.getElementById('ledger-count').textContent === '{len(expected)} of {total} claims match'")
    visible = page.locator("table.ledger-table tbody tr")
    assert 0 < visible.count() == min(len(expected), 100)
    assert all("nis" in t.lower() and "troops" in t.lower() for t in visible.all_inner_texts())
    # The last claim of the last data file is found by its id.
    last = records[-1]["claim_id"]
    page.fill("#ledger-search", last)
    page.wait_for_function(f"document.getElementById('ledger-count').textContent.startsWith('1 of {total}')")
    assert page.locator("table.ledger-table tbody tr").all_inner_texts()[0].rstrip().endswith(last)
    page.fill("#ledger-search", "")
    page.wait_for_function(f"document.getElementById('ledger-count').textContent === '{total} claims'")
    # Sorting by figure, largest first, puts the largest figure at the top.
    assert page.inner_text("table.ledger-table th:nth-child(5)").strip() == "Figure"
    page.click("table.ledger-table th:nth-child(5) button")
    assert page.get_attribute("table.ledger-table th:nth-child(5)", "aria-sort") == "ascending"
    page.click("table.ledger-table th:nth-child(5) button")
    assert page.get_attribute("table.ledger-table th:nth-child(5)", "aria-sort") == "descending"
    largest = max((r for r in records if r["figure_sort"]), key=lambda r: float(r["figure_sort"]))
    assert page.get_attribute("table.ledger-table tbody tr:first-child", "id") == f"claim-{largest['claim_id']}"
    page.close()


def search_text(record: dict) -> str:
    """What the ledger's search matches in a row: the text of every column, as shown."""
    columns = ("as_of", "claimed", "topic", "what", "figure", "unit", "claimant", "kind", "checked", "note", "claim_id")
    hosts = " ".join(s[2] for s in record["sources"])
    return " ".join([record[c] for c in columns] + [hosts]).lower()


def test_a_link_to_a_claim_lands_on_its_row_even_when_it_loads_after_first_paint(browser, book_html, site):
    claim_id = ledger_page_records(book_html)[-1]["claim_id"]  # in the last data file, not in the page
    page = browser.new_page()
    page.goto(site + f"chapters/ledger.html#claim-{claim_id}")
    page.wait_for_function(f"document.querySelector(':target')?.id === 'claim-{claim_id}'")
    assert claim_id in page.inner_text(f"#claim-{claim_id}")
    top = page.evaluate(f"document.getElementById('claim-{claim_id}').getBoundingClientRect().top")
    assert 0 <= top < page.viewport_size["height"] / 2
    page.close()


def test_the_ledger_shows_a_note_that_looks_like_markup_as_text(browser, site):
    page = browser.new_page()
    page.goto(site + "chapters/ledger.html")
    all_rows_loaded(page)
    # Hand the page one more row, as a data file would, with markup in its note and claimant.
    page.evaluate("""nkreportLedgerChunk(999, [["zz-markup", "2099-01-01", "1 Jan 2099", "", "undated", "t", "w", "1",
        "1", "u", "<b>bold</b>", "n", "k", [["k", "https://example.org/", "example.org"]], "2026-01-01", "1 Jan 2026",
        "https://example.org/", "<img src=x onerror=\\"window.ran=1\\"><script>window.ran=2</script>"]])""")
    page.fill("#ledger-search", "zz-markup")
    page.wait_for_function("document.getElementById('claim-zz-markup') !== null")
    row = page.locator("#claim-zz-markup")
    assert row.locator("img, script, b").count() == 0
    assert "<img src=x" in row.inner_text() and "<b>bold</b>" in row.inner_text()
    assert page.evaluate("window.ran") is None
    page.close()


def test_a_focused_chart_mark_shows_its_claim_and_leads_to_its_ledger_row(browser, site):
    page = browser.new_page()
    page.goto(site + "chapters/troops.html")
    mark = page.locator("svg.nkreport-chart a.chart-claim").first
    label = mark.locator("title").text_content()
    href = mark.get_attribute("href")
    claim_id = href.split("#claim-")[1]
    # Keyboard focus reaches the mark and the line under the chart says what it claims.
    page.keyboard.press("Tab")
    mark.focus()
    assert page.evaluate("document.activeElement.getAttribute('href')") == href
    readout = page.locator("p.chart-claim-readout").first.inner_text()
    assert readout == label and ":" in label
    # Following it lands on the claim's row of the ledger.
    page.keyboard.press("Enter")
    page.wait_for_url(f"**/ledger.html#claim-{claim_id}")
    # The page renders the row from its data, then it is the page's target.
    page.wait_for_function(f"document.querySelector(':target')?.id === 'claim-{claim_id}'")
    assert claim_id in page.inner_text(f"#claim-{claim_id}")
    page.close()
