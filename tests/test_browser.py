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


def test_the_ledger_search_filters_rows(browser, book_html, site):
    page = browser.new_page()
    page.goto(site + "chapters/ledger.html")
    total = page.locator("table.ledger-table tbody tr").count()
    page.fill("#ledger-search", "NIS troops")
    visible = page.locator("table.ledger-table tbody tr:not([hidden])")
    shown = visible.count()
    assert 0 < shown < total
    assert all("nis" in t.lower() and "troops" in t.lower() for t in visible.all_inner_texts())
    assert page.inner_text("#ledger-count").startswith(f"{shown} of {total}")
    page.fill("#ledger-search", "")
    assert page.locator("table.ledger-table tbody tr:not([hidden])").count() == total
    # Sorting by figure puts the largest figure last.
    assert page.inner_text("table.ledger-table th:nth-child(5)").strip() == "Figure"
    page.click("table.ledger-table th:nth-child(5) button")
    assert page.get_attribute("table.ledger-table th:nth-child(5)", "aria-sort") == "ascending"
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
    assert page.evaluate("document.querySelector(':target').id") == f"claim-{claim_id}"
    assert claim_id in page.inner_text(f"#claim-{claim_id}")
    page.close()
