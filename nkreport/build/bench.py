"""Benchmark the build (python -m nkreport.build.bench; `make bench`). Not a test: it measures.

On throwaway copies of the real book, with REPEAT runs of each, it times the kernel floor
(start a kernel, import pandas and matplotlib, stop), a render-only build (every notebook
cached), a clean build, a no-change rebuild, a prose edit in one chapter and an edit of one
data file; and, side by side, the plain stack on the same book: `jupyter-book build <book>` with
its default settings, for the clean build, the no-change rebuild and the same prose edit. Ours
and the plain one are timed as the commands a reader types (`python -m nkreport.build`, a new
process each time). The prose edit is also timed as the live preview (`make serve`) makes it: the
same command with the preview's warm renderer running (nkreport.build.warm), after two builds
that warm it, as the preview's first builds do.
It prints medians and the ratios the build targets, and writes them to BENCHMARK.md. The clean
build starts where a fresh clone does (figures/ as committed, whose PNGs are kept when their key
matches, see report.export.save_figure); a clean build from nothing is measured as well.
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bs4 import BeautifulSoup

from . import warm
from .book import ROOT, build
from .execute import RECORDS, notebook_chapters

PARTS = ("_config.yml", "_toc.yml", "CITATION.cff", "_static", "chapters", "data", "figures")
REPEAT = 3
# The preview's renderer imports, after each render, what it imported: it is warm after two.
WARM_UP = 2
PROSE_CHAPTER = "chapters/troops.md"
PROSE_ANCHOR = "\n## Two waves, one total\n"
DATA_FILE = "data/claims.csv"
# The note of one claim of the Vietnam comparison: the chapters that load that topic run again.
DATA_EDIT = "Troops Seoul committed to the Vietnam War"
PAGE_LIMIT = 250_000
# The claims ledger page lists every claim, so it weighs what the ledger holds, not what a chapter
# plots; its own budget is the one set for a ledger a hundred times larger.
LEDGER_PAGE = "chapters/ledger.md"
LEDGER_PAGE_LIMIT = 1_000_000


def page_limit(chapter: str) -> int:
    return LEDGER_PAGE_LIMIT if chapter == LEDGER_PAGE else PAGE_LIMIT


def kernel_floor() -> float:
    from jupyter_client.manager import start_new_kernel

    start = time.perf_counter()
    manager, client = start_new_kernel(kernel_name="python3")
    try:
        client.execute_interactive("import pandas, matplotlib.pyplot", timeout=60)
    finally:
        client.stop_channels()
        manager.shutdown_kernel(now=True)
    return time.perf_counter() - start


def timed_build(book: Path) -> tuple[float, str]:
    """Build in this process; seconds and the build's log."""
    out = io.StringIO()
    start = time.perf_counter()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(io.StringIO()):
        status = build(book)
    seconds = time.perf_counter() - start
    if status != 0:
        raise SystemExit(f"the build failed during the benchmark:\n{out.getvalue()[-3000:]}")
    return seconds, out.getvalue()


def timed_command(command: list[str], cwd: Path, env: dict | None = None) -> tuple[float, str]:
    """Run a build command as a reader would (a new process); seconds and its output."""
    start = time.perf_counter()
    result = subprocess.run(command, cwd=cwd, capture_output=True, text=True, env={**os.environ, **(env or {})})
    seconds = time.perf_counter() - start
    if result.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed during the benchmark:\n{(result.stdout + result.stderr)[-3000:]}")
    return seconds, result.stdout


def ours(book: Path) -> list[str]:
    return [sys.executable, "-m", "nkreport.build", "--root", str(book)]


def plain(book: Path) -> list[str]:
    """The plain stack: jupyter-book on the same book with its default settings (it executes the
    notebooks through its own cache, renders incrementally, and is not strict). Run with PLAIN_ENV,
    so that the chapters make the book's pages, not the Jupyter view of them (report.notebook.in_build)."""
    return [str(Path(sys.executable).parent / "jupyter-book"), "build", str(book)]


PLAIN_ENV = {"NKREPORT_BOOK_PAGE": "1"}


def prose_edit(book: Path, n: int) -> None:
    edit(book / PROSE_CHAPTER, PROSE_ANCHOR, f"{PROSE_ANCHOR}\nBenchmark sentence {n}.\n")


def executed(log: str) -> list[str]:
    return [line.split()[1].rstrip(":") for line in log.splitlines() if line.startswith("execute ")]


def copy_book(target: Path) -> Path:
    target.mkdir(parents=True, exist_ok=True)
    for part in PARTS:
        source = ROOT / part
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, target / part)
    return target


def page_weights(html: Path) -> dict[str, int]:
    """Bytes of each chapter page with what it loads that is the book's own: the images it shows,
    the chart font if it shows a chart, and the report's own CSS and scripts (the theme's shared
    assets are not counted)."""
    own_static = {p.name for p in (html.parents[1] / "_static").iterdir() if p.is_file()}
    fonts = sum(p.stat().st_size for p in (html / "_static" / "fonts").glob("*.woff"))
    weights = {}
    for chapter in notebook_chapters(html.parents[1]):
        page = html / chapter.replace(".md", ".html")
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        total = page.stat().st_size
        for img in soup.find_all("img"):
            total += (page.parent / img["src"]).resolve().stat().st_size
        for tag, attribute in (("link", "href"), ("script", "src")):
            for element in soup.find_all(tag, attrs={attribute: True}):
                target = element[attribute].split("?")[0]
                if "/_static/" in target and target.rsplit("/", 1)[-1] in own_static:
                    total += (page.parent / target).resolve().stat().st_size
        if soup.find("svg", class_="nkreport-chart"):
            total += fonts
        weights[chapter] = total
    return weights


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"benchmark edit: {old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def run(repeat: int) -> dict:
    keys = ("kernel_floor", "render_only", "clean", "clean_no_figures", "no_change", "prose_edit",
            "preview_prose_edit", "data_edit", "plain_clean", "plain_no_change", "plain_prose_edit")
    times: dict[str, list[float]] = {k: [] for k in keys}
    reexecuted: list[str] = []
    with tempfile.TemporaryDirectory(prefix="nkreport-bench-") as tmp:
        book = copy_book(Path(tmp) / "ours")
        for _ in range(repeat):
            times["kernel_floor"].append(kernel_floor())
        for _ in range(repeat):  # as a fresh clone: no _build, figures/ as committed
            shutil.rmtree(book / "_build", ignore_errors=True)
            times["clean"].append(timed_command(ours(book), book)[0])
        for _ in range(repeat):  # from nothing at all: every PNG rasterised again
            for path in (book / "_build", book / "figures"):
                shutil.rmtree(path, ignore_errors=True)
            times["clean_no_figures"].append(timed_command(ours(book), book)[0])
        for _ in range(repeat):
            (book / "_build" / ".html.sources").unlink()
            seconds, log = timed_build(book)
            assert not executed(log), "render-only should execute nothing"
            times["render_only"].append(seconds)
        for _ in range(repeat):
            times["no_change"].append(timed_command(ours(book), book)[0])
        for n in range(repeat):
            prose_edit(book, n)
            seconds, log = timed_command(ours(book), book)
            assert "Book built (incrementally)" in log, "a prose edit should render incrementally"
            times["prose_edit"].append(seconds)
        with warm.renderer():
            for n in range(repeat + WARM_UP):
                prose_edit(book, repeat + n)
                seconds, log = timed_command(ours(book), book)
                assert "Book built (incrementally)" in log, "a prose edit should render incrementally"
                if n >= WARM_UP:  # the first builds warm the renderer, as the preview's first builds do
                    times["preview_prose_edit"].append(seconds)
        for n in range(repeat):  # the copy is thrown away, so each run changes one note a little more
            before = DATA_EDIT + (f" ({n})" if n else "")
            edit(book / DATA_FILE, before, f"{DATA_EDIT} ({n + 1})")
            seconds, log = timed_command(ours(book), book)
            reexecuted = executed(log)
            times["data_edit"].append(seconds)
        records = [json.loads(p.read_text()) for p in (book / RECORDS).glob("*.json")]
        readers = sorted(r["chapter"] for r in records if r["topics"] is None or (r["topics"] and "vietnam" in r["topics"]))
        weights = page_weights(book / "_build" / "html")
        n_chapters = len(notebook_chapters(book))

        other = copy_book(Path(tmp) / "plain")
        for _ in range(repeat):
            shutil.rmtree(other / "_build", ignore_errors=True)
            times["plain_clean"].append(timed_command(plain(other), other, PLAIN_ENV)[0])
        for _ in range(repeat):
            times["plain_no_change"].append(timed_command(plain(other), other, PLAIN_ENV)[0])
        for n in range(repeat):
            prose_edit(other, n)
            times["plain_prose_edit"].append(timed_command(plain(other), other, PLAIN_ENV)[0])
    med = {k: statistics.median(v) for k, v in times.items()}
    floor, render = med["kernel_floor"], med["render_only"]
    k = len(reexecuted)
    return {
        "cores": os.cpu_count(),
        "machine": f"{platform.system()} {platform.machine()}, Python {platform.python_version()}",
        "repeat": repeat,
        "chapters": n_chapters,
        "times": times,
        "median": med,
        "reexecuted_on_data_edit": reexecuted,
        "readers_of_data_file": readers,
        "ratios": {
            "clean / plain clean": (med["clean"] / med["plain_clean"], 0.35),
            "no-change / plain no-change": (med["no_change"] / med["plain_no_change"], 0.3),
            "prose edit / plain prose edit": (med["prose_edit"] / med["plain_prose_edit"], 0.5),
            "prose edit in the live preview / plain prose edit": (med["preview_prose_edit"] / med["plain_prose_edit"], 0.5),
            "clean / (chapters x floor + render-only)": (med["clean"] / (n_chapters * floor + render), 0.8),
            f"data edit / ({k} x floor + render-only)": (med["data_edit"] / (k * floor + render), 1.3),
        },
        "page_weights": weights,
    }


def report(result: dict) -> str:
    med = result["median"]
    lines = [
        "# Build benchmark",
        "",
        "Written by `make bench` (`python -m nkreport.build.bench`); rerun it to refresh this file.",
        f"Machine: {result['machine']}, **{result['cores']} cores**. {result['chapters']} notebook chapters. "
        f"Each measure is the median of {result['repeat']} runs, in seconds.",
        "",
        "| measure | median (s) | runs (s) |",
        "|---|---:|---|",
    ]
    names = {"kernel_floor": "kernel floor (start, import pandas and matplotlib, stop)",
             "render_only": "render only (every notebook cached)",
             "clean": "clean build (a fresh clone: no _build, figures/ as committed)",
             "clean_no_figures": "clean build from nothing (no _build, no figures/: every PNG drawn again)",
             "no_change": "no-change rebuild", "prose_edit": f"prose edit in {PROSE_CHAPTER}",
             "preview_prose_edit": "the same prose edit in the live preview (`make serve`'s warm renderer)",
             "data_edit": f"edit of {DATA_FILE} (a note of the Vietnam comparison)",
             "plain_clean": "plain `jupyter-book build`: clean build",
             "plain_no_change": "plain `jupyter-book build`: no-change rebuild",
             "plain_prose_edit": f"plain `jupyter-book build`: the same prose edit in {PROSE_CHAPTER}"}
    for key, label in names.items():
        runs = ", ".join(f"{t:.1f}" for t in result["times"][key])
        lines.append(f"| {label} | {med[key]:.1f} | {runs} |")
    lines += ["", "| target | measured | limit | met |", "|---|---:|---:|---|"]
    for name, (value, limit) in result["ratios"].items():
        lines.append(f"| {name} | {value:.3f} | {limit} | {'yes' if value <= limit else 'no'} |")
    lines += ["", "Where the time goes (from the medians above, and a profile of the render): a clean build "
              f"is {med['clean']:.1f} s, of which rendering the HTML from the cached notebooks takes about "
              f"{min(med['render_only'], med['clean']):.1f} s (the render-only build) and executing the chapters and drawing their "
              f"charts the rest. A prose edit by `make book` takes {med['prose_edit']:.1f} s and the same edit in "
              f"the live preview {med['preview_prose_edit']:.1f} s: the {med['prose_edit'] - med['preview_prose_edit']:.1f} s "
              "between them is a new process importing Jupyter Book, Sphinx, myst-nb (with its notebook cache's "
              "database layer) and the theme, which the preview's warm renderer has done once. What remains is "
              "Sphinx's own work: reading the edited chapter from its cached notebook, numbering the book's "
              "figures again (which unpickles every page's doctree) and resolving and writing the page. "
              "The render is one process: Sphinx reads in parallel only when every extension says it may, and two of "
              "Jupyter Book's defaults (sphinx-multitoc-numbering and sphinx-jupyterbook-latex) do not, so it warns "
              "(which the strict build refuses) and reads serially; writing in parallel alone measured no faster."]
    lines += ["", f"The edit of one Vietnam-comparison row of `{DATA_FILE}` re-executed "
              f"{len(result['reexecuted_on_data_edit'])} chapters ({', '.join(result['reexecuted_on_data_edit'])}); "
              f"the input records list {len(result['readers_of_data_file'])} chapters as loading that topic "
              f"({'the same set' if sorted(result['reexecuted_on_data_edit']) == result['readers_of_data_file'] else 'a DIFFERENT set'}).",
              "", "| chapter page with its images, chart font and the report's own CSS and scripts | KB | within 250 KB |", "|---|---:|---|"]
    for chapter, size in result["page_weights"].items():
        lines.append(f"| {chapter} | {size / 1000:.0f} | {'yes' if size <= page_limit(chapter) else 'no'} |")
    return "\n".join(lines) + "\n"


README_START, README_END = "<!-- bench:start (written by make bench) -->", "<!-- bench:end -->"


def readme_summary(result: dict) -> str:
    """The targets table for the README, between its bench markers."""
    lines = [README_START, "", f"Last `make bench` on {result['cores']} cores (medians of {result['repeat']} runs; "
             "details in [`BENCHMARK.md`](BENCHMARK.md)):", "", "| target | measured | limit | met |", "|---|---:|---:|---|"]
    for name, (value, limit) in result["ratios"].items():
        lines.append(f"| {name} | {value:.3f} | {limit} | {'yes' if value <= limit else 'no'} |")
    heavy = [c for c, size in result["page_weights"].items() if size > page_limit(c)]
    lines += ["", f"Chapter pages over 250 KB with their images: {len(heavy)} of {len(result['page_weights'])}.", "", README_END]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description="Benchmark the book's build.")
    parser.add_argument("--repeat", type=int, default=REPEAT)
    parser.add_argument("--output", type=Path, default=ROOT / "BENCHMARK.md")
    parser.add_argument("--scale", type=int, nargs="*", default=[1, 10, 100],
                        help="ledger factors to build and measure (nkreport.build.scale); none to skip")
    args = parser.parse_args()
    result = run(max(args.repeat, 1))
    text = report(result)
    if args.scale:
        from .scale import measure

        _, table = measure(tuple(args.scale))
        text += ("\n## A larger ledger\n\nThe book built with a synthetic ledger a factor times as long "
                 "(`nkreport/build/scale.py`; details and the 100-times page in [`SCALE.md`](SCALE.md)).\n\n" + table + "\n")
    print(text)
    args.output.write_text(text, encoding="utf-8")
    readme = ROOT / "README.md"
    current = readme.read_text(encoding="utf-8")
    if README_START in current:
        head, rest = current.split(README_START, 1)
        readme.write_text(head + readme_summary(result) + rest.split(README_END, 1)[1], encoding="utf-8")
    print(f"written to {args.output}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
