"""What happens when the ledger grows: a synthetic ledger 10 or 100 times the real one, and its measures.

`python -m nkreport.build.scale --factor 10 --out DIR` writes a copy of data/ whose claims.csv holds
(factor - 1) synthetic claims for every real one, so the ledger is `factor` times as long.
`python -m nkreport.build.scale --measure 1 10 100` copies the whole book for each factor, builds
it and reports the build time, the weight of the ledger page on first load, its time to first
paint in Chromium, and every chapter page's weight (a Markdown table; SCALE.md with --write).

The synthetic claims are a stress test, never data, and say so everywhere a reader could meet them:
their ids start `synthetic-`, their claimants are named "SYNTHETIC claimant NNN (scale test, not a
real claimant)" and cite one synthetic source each (https://synthetic.invalid/…), and every note
starts "SYNTHETIC claim for the scale test". They are spread over the real topics in the real
proportions (the honest test: every page that lists a topic's claims meets them), except the
EVENT_TOPICS, and they keep out of every rule a chapter applies:
- their measures are their own (`synthetic_<topic>_<claimant number>`), so no chapter picks one
  as a headline (chapters choose claims by measure, claimant or id) and no chart draws them; one
  claimant per measure, so no two synthetic claims "disagree" in the Methods chapter's table of
  disagreements (which compares a measure's claims made within days of each other);
- their claimants are their own, so no "newest NIS count" can be one of them;
- they refer to and are made on days strictly inside the span of their topic's real claims, so
  no "first", "earliest" or "newest" of a topic moves;
- they carry figures (no events, no denials) and are never weak, so the timeline of events and
  the table of weak claims stay the real ones.
The output depends only on the real data, the factor and the seed: the same bytes every run.

The timeline, operations and response chapters draw every row of their topic as a dated event, so
a ledger that grows there grows their charts; at ten times the claims those charts no longer draw
(measured: negative label widths, a broken chart link). That is a limit of those three charts, to be
fixed there (by aggregating events); until then their topics get no synthetic claims, and the
other topics take their share, so the ledger is still `factor` times as long. `--all-topics`
puts synthetic claims in them too, to reproduce the failure.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import datetime as dt
import io
import json
import random
import shutil
import sys
from pathlib import Path

SEED = 16  # issue 16: any fixed number; the output depends on it
# Topics whose chapters draw every row as an event (see above): no synthetic claims unless asked.
EVENT_TOPICS = ("timeline", "operations", "response")
PREFIX = "synthetic"
SOURCE_URL = "https://synthetic.invalid/nkreport-scale/"
# One synthetic claimant per this many synthetic claims (at least one).
CLAIMS_PER_CLAIMANT = 400
# Notes that look like markup, so the pages are seen to show them as text and never run them.
MARKUP_NOTES = ('<script>alert("synthetic")</script>', "<b>bold?</b> & <i>italic?</i>",
                '"><img src=x onerror=alert(1)>', "{cite}`nyt2024whatweknow` | *not* a table")


def _day(text: str) -> dt.date:
    return dt.date.fromisoformat(text)


def synthetic_claims(claims: list[dict], factor: int, seed: int = SEED,
                     skip_topics=EVENT_TOPICS) -> tuple[list[dict], list[dict], list[dict]]:
    """The synthetic claims, claimants and sources for a ledger `factor` times as long as `claims`,
    none in `skip_topics`."""
    if factor < 1:
        raise ValueError(f"the factor must be a whole number of at least 1, not {factor}")
    rng = random.Random(seed)
    n_new = (factor - 1) * len(claims)
    n_claimants = max(1, -(-n_new // CLAIMS_PER_CLAIMANT)) if n_new else 0
    claimants = [{"claimant_id": f"{PREFIX}-claimant-{i:03d}",
                  "name": f"SYNTHETIC claimant {i:03d} (scale test, not a real claimant)",
                  "short_name": f"SYNTHETIC {i:03d}", "country": "Independent", "role": "independent"}
                 for i in range(1, n_claimants + 1)]
    # Every synthetic source is dated the day of the newest real claim, so no synthetic claim is
    # made after the page that carries it.
    newest = max(_day(c["claimed_on"]) for c in claims if c["claimed_on"])
    sources = [{"key": f"{PREFIX}-source-{i:03d}", "url": f"{SOURCE_URL}{i:03d}", "date": newest.isoformat()}
               for i in range(1, n_claimants + 1)]
    checked_on = max(c["checked_on"] for c in claims)
    topics = sorted({c["topic"] for c in claims})
    spans = {}
    for topic in topics:
        rows = [c for c in claims if c["topic"] == topic]
        first = min(_day(c["as_of"]) for c in rows)
        last = max(_day(c["claimed_on"]) for c in rows if c["claimed_on"])
        last = min(last, max(_day(c["as_of"]) for c in rows if c["claim_kind"] != "forecast"))
        spans[topic] = (first, last)
    pool = [c["topic"] for c in claims if c["topic"] not in skip_topics]
    out = []
    for n in range(n_new):
        # The real claims in turn, so each topic grows in its real proportion.
        topic = pool[n % len(pool)]
        first, last = spans[topic]
        inside = (last - first).days - 1
        as_of = first + dt.timedelta(days=1 + rng.randrange(max(1, inside)))
        claimed_on = min(as_of + dt.timedelta(days=rng.randrange(30)), last - dt.timedelta(days=1))
        claimed_on = max(claimed_on, as_of)
        who = n % n_claimants
        note = f"SYNTHETIC claim for the scale test (factor {factor}, seed {seed}, number {n + 1}): not a real claim."
        if n % 97 == 0:
            note += " " + MARKUP_NOTES[(n // 97) % len(MARKUP_NOTES)]
        value = rng.randrange(1, 100_000)
        out.append({
            "claim_id": f"{PREFIX}-{topic.replace('_', '-')}-{n + 1:06d}", "topic": topic,
            "measure": f"{PREFIX}_{topic}_{who + 1:03d}", "value": str(value), "value_low": "", "value_high": "",
            "bound": "exact", "qualifier": "", "unit": "synthetic units",
            "as_of": as_of.isoformat(), "as_of_precision": "day",
            "claimed_on": claimed_on.isoformat(), "claimed_on_precision": "day",
            "claimant": claimants[who]["claimant_id"], "claim_kind": "estimate",
            "source": sources[who]["key"], "note": note, "places": "", "weak_source": "no",
            "checked_on": checked_on, "checked_url": sources[who]["url"],
        })
    return out, claimants, sources


def _csv_text(header: list[str], rows: list[dict]) -> str:
    buffer = io.StringIO(newline="")
    writer = csv.DictWriter(buffer, fieldnames=header, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue()


def _read_csv(path: Path) -> tuple[list[str], list[dict]]:
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames), list(reader)


def write_scaled_data(data_dir: Path, out: Path, factor: int, seed: int = SEED,
                      skip_topics=EVENT_TOPICS) -> dict[str, int]:
    """Copy `data_dir` to `out` with a ledger `factor` times as long; returns the counts written."""
    data_dir, out = Path(data_dir), Path(out)
    if out.resolve() == data_dir.resolve():
        raise ValueError("the synthetic ledger is never written over the real data/")
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(data_dir, out)
    header, claims = _read_csv(data_dir / "claims.csv")
    new_claims, new_claimants, new_sources = synthetic_claims(claims, factor, seed, skip_topics)
    (out / "claims.csv").write_text(_csv_text(header, claims + new_claims), encoding="utf-8")
    c_header, claimants = _read_csv(data_dir / "claimants.csv")
    (out / "claimants.csv").write_text(_csv_text(c_header, claimants + new_claimants), encoding="utf-8")
    bib = (data_dir / "sources.bib").read_text(encoding="utf-8")
    for s in new_sources:
        day = s["date"]
        bib += (f"\n@misc{{{s['key']},\n  author = {{{{SYNTHETIC}}}},\n"
                f"  title = {{{{Synthetic source {s['key'][-3:]} for the scale test (not a real page)}}}},\n"
                f"  howpublished = {{SYNTHETIC (nkreport.build.scale)}},\n  year = {{{day[:4]}}},\n"
                f"  date = {{{day}}},\n  url = {{{s['url']}}}\n}}\n")
    (out / "sources.bib").write_text(bib, encoding="utf-8")
    return {"claims": len(claims) + len(new_claims), "synthetic_claims": len(new_claims),
            "synthetic_claimants": len(new_claimants)}


# What a book is made of besides the package (as tests/conftest.py and the benchmark copy it).
CHROMIUM = "/usr/bin/chromium"  # Debian's; never a downloaded browser
LEDGER_PAGE = "chapters/ledger.html"
# The targets at a ledger a hundred times as long.
LEDGER_FIRST_LOAD_LIMIT = 1_000_000
LEDGER_PAINT_LIMIT_MS = 1000


def chapter_weights(html: Path) -> dict[str, int]:
    """Bytes of each page with the images it shows and the chart font if it draws a chart (the
    theme's shared files, the same on every page, are left out)."""
    from bs4 import BeautifulSoup

    fonts = sum(p.stat().st_size for p in (html / "_static" / "fonts").glob("*.woff"))
    weights = {}
    for page in sorted((html / "chapters").glob("*.html")):
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        total = page.stat().st_size
        for img in soup.find_all("img", src=True):
            target = (page.parent / img["src"].split("?")[0]).resolve()
            total += target.stat().st_size if target.is_file() else 0
        if soup.find("svg", class_="nkreport-chart"):
            total += fonts
        weights[page.relative_to(html).as_posix()] = total
    return weights


@contextlib.contextmanager
def _served(html: Path):
    """The built book over HTTP on this machine: the browser reports each file's size only over HTTP."""
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    class Quiet(SimpleHTTPRequestHandler):
        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), functools.partial(Quiet, directory=str(html)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()


_PAINT = "performance.getEntriesByName('first-contentful-paint').length > 0"
_BEFORE_PAINT = """() => {
    const paint = performance.getEntriesByName('first-contentful-paint')[0].startTime;
    const nav = performance.getEntriesByType('navigation')[0];
    const before = performance.getEntriesByType('resource').filter(r => r.startTime <= paint);
    return {paint, page: nav.encodedBodySize, files: before.map(r => [r.name, r.encodedBodySize])};
}"""


def _own(url: str, own_static: set[str]) -> bool:
    """A file of the report's own (its page, data and _static files), not of the theme, which every
    page of the book shares and a browser keeps after the first."""
    path = url.split("?")[0]
    return "/_static/" not in path or path.split("/_static/", 1)[1] in own_static


def ledger_in_browser(html: Path, probe: str, loads: int = 3, own_static: set[str] = frozenset()) -> dict:
    """Open the ledger page in Chromium: its first contentful paint over file:// (median of `loads`),
    the bytes it loads before that paint (the page and every file of the report's own it requested
    by then; measured over HTTP, where the browser reports sizes; the theme's files, the same for
    every page of the book, are counted apart), the time until every row is searchable, and whether
    over file:// a search for `probe` (a claim of the last data file) finds exactly that claim and
    its #claim- link lands on its row."""
    import statistics

    from playwright.sync_api import sync_playwright

    url = (html / LEDGER_PAGE).resolve().as_uri()
    paints, weights, theme = [], [], []
    with sync_playwright() as playwright, _served(html) as site:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            for _ in range(loads):
                for address, into in ((url, paints), (site + LEDGER_PAGE, weights)):
                    page = browser.new_page()
                    page.goto(address, wait_until="load")
                    page.wait_for_function(_PAINT)
                    timing = page.evaluate(_BEFORE_PAINT)
                    if into is paints:
                        paints.append(timing["paint"])
                    else:
                        weights.append(timing["page"] + sum(n for u, n in timing["files"] if _own(u, own_static)))
                        theme.append(sum(n for u, n in timing["files"] if not _own(u, own_static)))
                    page.close()
            page = browser.new_page()
            page.goto(url, wait_until="load")
            page.wait_for_function("document.querySelector('.ledger-loading').textContent === ''", timeout=120_000)
            all_rows_ms = page.evaluate("performance.now()")
            page.fill("#ledger-search", probe)
            page.wait_for_function("document.getElementById('ledger-count').textContent.startsWith('1 of')")
            found = page.locator("table.ledger-table tbody tr").all_inner_texts()
            page.goto(url + "#claim-" + probe)
            page.wait_for_function(f"document.querySelector(':target')?.id === 'claim-{probe}'", timeout=120_000)
            landed = page.evaluate(f"""() => {{ const r = document.getElementById('claim-{probe}').getBoundingClientRect();
                return r.top >= 0 && r.top < innerHeight; }}""")
            page.close()
        finally:
            browser.close()
    return {"first_paint_ms": round(statistics.median(paints)), "first_load_bytes": max(weights),
            "theme_bytes_before_paint": max(theme),
            "all_rows_searchable_ms": round(all_rows_ms),
            "search_finds_last_claim": len(found) == 1 and probe in found[0], "anchor_lands_on_row": landed}


def own_static(root: Path) -> set[str]:
    """The report's own files under _static (the rest of the output's _static is the theme's)."""
    return {p.relative_to(root / "_static").as_posix() for p in (root / "_static").rglob("*") if p.is_file()}


def measure(factors=(1, 10, 100), seed: int = SEED, keep: Path | None = None) -> tuple[dict, str]:
    """Build the book with a ledger `factor` times as long, for each factor, on a throwaway copy
    (kept in keep/factor-N when `keep` is given, to look at); return the measures by factor and a
    Markdown table of them."""
    import tempfile
    import time

    from ..data.ledger import load
    from .book import ROOT, build

    results = {}
    for factor in factors:
        with (contextlib.nullcontext(keep / f"factor-{factor}") if keep
              else tempfile.TemporaryDirectory(prefix=f"nkreport-scale-{factor}-")) as tmp:
            Path(tmp).mkdir(parents=True, exist_ok=True)
            from .bench import copy_book  # the benchmark's copy of the book, which imports this module late

            book = copy_book(Path(tmp))
            counts = write_scaled_data(ROOT / "data", book / "data", factor, seed)
            log = io.StringIO()
            start = time.perf_counter()
            with contextlib.redirect_stdout(log), contextlib.redirect_stderr(log):
                status = build(book)
            seconds = time.perf_counter() - start
            if status != 0:
                raise SystemExit(f"the book did not build at factor {factor}:\n{log.getvalue()[-3000:]}")
            html = book / "_build" / "html"
            last = load(book / "data").claims.sort_values(["as_of", "claim_id"])["claim_id"].iloc[-1]
            weights = chapter_weights(html)
            data_files = sorted((html / "ledger-data").glob("*.js"))
            results[factor] = {
                "claims": counts["claims"], "build_s": round(seconds, 1),
                "ledger_html_bytes": (html / LEDGER_PAGE).stat().st_size,
                "ledger_data_files": len(data_files),
                "ledger_data_bytes": sum(p.stat().st_size for p in data_files),
                **ledger_in_browser(html, last, own_static=own_static(ROOT)),
                "heaviest_chapter": max((w, p) for p, w in weights.items() if p != LEDGER_PAGE)[::-1],
                "chapter_bytes": weights,
            }
            print(f"factor {factor}: {json.dumps(results[factor])}", flush=True)
    return results, markdown_table(results)


def markdown_table(results: dict) -> str:
    base = results[min(results)]
    lines = ["| Factor | Claims | Build (s) | s per 1,000 claims | Ledger page, first load (bytes) "
             "| Theme files before paint (bytes) | First paint (ms) "
             "| All rows searchable (ms) | Ledger data files (bytes) | Heaviest chapter page (bytes) |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"]
    for factor, r in sorted(results.items()):
        page, heaviest = r["heaviest_chapter"]
        lines.append(f"| {factor} | {r['claims']:,} | {r['build_s']} | {1000 * r['build_s'] / r['claims']:.1f} "
                     f"| {r['first_load_bytes']:,} | {r['theme_bytes_before_paint']:,} | {r['first_paint_ms']} "
                     f"| {r['all_rows_searchable_ms']:,} "
                     f"| {r['ledger_data_bytes']:,} in {r['ledger_data_files']} | {heaviest:,} ({page}) |")
    lines.append("")
    lines.append(f"Targets: build time at most linear in claims (relative to factor {min(results)}: "
                 + ", ".join(f"{f}x claims, {r['build_s'] / base['build_s']:.1f}x time" for f, r in sorted(results.items()))
                 + f"); the ledger page under {LEDGER_FIRST_LOAD_LIMIT:,} bytes before first paint and painting in "
                 f"under {LEDGER_PAINT_LIMIT_MS} ms at factor 100. Search over every row and the #claim- link of "
                 "the last claim of the last data file, over file://: " + ", ".join(f"{f}x {'ok' if r['search_finds_last_claim'] and r['anchor_lands_on_row'] else 'FAILED'}"
                                              for f, r in sorted(results.items())) + ".")
    return "\n".join(lines)


def with_table(path: Path, table: str) -> str:
    """The text of `path` with its measured table (from its "| Factor |" line to the "Targets:" line
    after it) replaced by `table`, so the prose around it stays; just the table for a new file."""
    text = path.read_text(encoding="utf-8") if path.is_file() else ""
    start = text.find("| Factor |")
    end = text.find("\n", text.find("Targets:", start)) if start >= 0 else -1
    if start < 0 or text.find("Targets:", start) < 0:
        return table + "\n"
    return text[:start] + table + (text[end:] if end >= 0 else "\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--factor", type=int, default=10, help="how many times the real ledger's length (default 10)")
    parser.add_argument("--seed", type=int, default=SEED)
    parser.add_argument("--all-topics", action="store_true",
                        help=f"with --out: put synthetic claims in {', '.join(EVENT_TOPICS)} too (their charts then fail)")
    parser.add_argument("--out", type=Path, help="the folder to write the data copy to")
    parser.add_argument("--data", type=Path, default=None, help="the real data folder (default: the book's data/)")
    parser.add_argument("--measure", type=int, nargs="*", metavar="FACTOR",
                        help="build the book at these factors and report what it weighs and how long it takes")
    parser.add_argument("--write", type=Path, default=None, help="with --measure: also write the table into this file (replacing the table it holds, keeping its prose)")
    parser.add_argument("--keep", type=Path, default=None,
                        help="with --measure: build in KEEP/factor-N (a new folder) and keep it, to look at")
    args = parser.parse_args(argv)
    if args.measure is not None:
        results, table = measure(tuple(args.measure or (1, 10, 100)), seed=args.seed, keep=args.keep)
        print(table)
        print(json.dumps(results, indent=1))
        if args.write:
            args.write.write_text(with_table(args.write, table), encoding="utf-8")
        return 0
    if args.out is None:
        parser.error("--out is required (the synthetic ledger is never written into data/)")
    from .book import ROOT

    counts = write_scaled_data(args.data or ROOT / "data", args.out, args.factor, args.seed,
                               () if args.all_topics else EVENT_TOPICS)
    print(f"{args.out}: {counts['claims']} claims, of which {counts['synthetic_claims']} synthetic, "
          f"from {counts['synthetic_claimants']} synthetic claimants")
    return 0


if __name__ == "__main__":
    sys.exit(main())
