"""The build fails loudly: a failing cell or bad data stops it, and nothing half-built is left."""

import json

from nkreport.build import build

from pages import ledger_page_records


def chapter(body: str) -> str:
    """A MyST notebook chapter with the jupytext header myst-nb needs to execute it."""
    return """---
jupytext:
  text_representation:
    format_name: myst
kernelspec:
  display_name: Python 3
  language: python
  name: python3
---
""" + body


FAILING_CHAPTER = chapter("""
# A chapter that fails

```{code-cell} ipython3
raise ValueError("deliberate failure for the test")
```
""")


def test_failing_cell_fails_the_build(book_copy, capfd):
    (book_copy / "chapters" / "99-failing.md").write_text(FAILING_CHAPTER, encoding="utf-8")
    with open(book_copy / "_toc.yml", "a", encoding="utf-8") as toc:
        toc.write("  - file: chapters/99-failing\n")
    assert build(book_copy) != 0
    output = capfd.readouterr()
    assert "deliberate failure for the test" in output.out + output.err
    # No page is left that a reader could mistake for a good build.
    assert not (book_copy / "_build" / "html").exists()
    # and the next build does not pass over the same failure
    assert build(book_copy) != 0


def test_bad_data_stops_the_build_with_a_clear_error(book_copy, capfd):
    claims = book_copy / "data" / "claims.csv"
    lines = claims.read_text(encoding="utf-8").splitlines()
    n = next(i for i, line in enumerate(lines) if line.startswith("troops-nis-2024-10-13-special-forces,"))
    lines[n] = lines[n].replace(",1500,", ",1.500 soldiers,", 1)
    claims.write_text("\n".join(lines) + "\n", encoding="utf-8")
    assert build(book_copy) == 1
    err = capfd.readouterr().err
    assert f"data/claims.csv, line {n + 1}, column 'value': found '1.500 soldiers'" in err
    assert not (book_copy / "_build" / "html").exists()


def edit_claim(book, claim_id: str, column: str, value: str) -> None:
    """Change one cell of one claim in a book copy's ledger, as a curator would."""
    import csv
    import io

    path = book / "data" / "claims.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    next(r for r in rows if r["claim_id"] == claim_id)[column] = value
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def test_a_data_edit_reaches_the_page_and_the_chart(book_copy):
    """The notebook cache hashes code only; the build must still publish the new number."""
    assert build(book_copy) == 0
    page = book_copy / "_build" / "html" / "chapters" / "troops.html"
    chart = book_copy / "figures" / "fig-troop-estimates.svg"
    png = book_copy / "figures" / "fig-troop-estimates.png"
    # the casualties chapter loads the troops topic too, so it runs again, but its chart of Russian
    # losses is unchanged
    other_svg, other_png = (book_copy / "figures" / f"fig-ru-casualties.{e}" for e in ("svg", "png"))
    png_before = png.read_bytes()
    other_svg_time, other_png_time = other_svg.stat().st_mtime_ns, other_png.stat().st_mtime_ns
    span = '<span class="claim claim-troops-nis-2025-04-30">'
    assert f"{span}15,000</span>" in page.read_text(encoding="utf-8")
    edit_claim(book_copy, "troops-nis-2025-04-30", "value", "16000")
    assert build(book_copy) == 0
    html = page.read_text(encoding="utf-8")
    assert f"{span}16,000</span>" in html and f"{span}15,000</span>" not in html
    assert "North Korea sent 16,000 combat troops" in chart.read_text(encoding="utf-8")
    # the PNG is drawn again because its chart changed (charts.png_key); the unchanged chart is
    # written as SVG again but its PNG is kept
    assert png.read_bytes() != png_before
    assert other_svg.stat().st_mtime_ns != other_svg_time and other_png.stat().st_mtime_ns == other_png_time


NO_DATA_CHAPTER = chapter("""
# A chapter that reads no data

```{code-cell} ipython3
from myst_nb import glue
glue("plain_number", 41 + 1, display=False)
```

The answer is {glue:text}`plain_number`.
""")


def executed(log: str) -> set[str]:
    return {line.split()[1].rstrip(":") for line in log.splitlines() if line.startswith("execute ")}


def test_a_data_edit_reexecutes_exactly_the_chapters_that_read_the_file(book_copy, capfd):
    (book_copy / "chapters" / "99-no-data.md").write_text(NO_DATA_CHAPTER, encoding="utf-8")
    with open(book_copy / "_toc.yml", "a", encoding="utf-8") as toc:
        toc.write("  - file: chapters/99-no-data\n")
    assert build(book_copy) == 0
    assert executed(capfd.readouterr().out) == {"chapters/99-no-data.md"}, "only the new chapter should run"

    records = {r["chapter"]: r for r in (json.loads(p.read_text()) for p in (book_copy / "_build" / ".inputs").glob("*.json"))}
    assert records["chapters/99-no-data.md"]["topics"] is False, "the loader recorded a read that did not happen"
    assert records["chapters/troops.md"]["topics"] == ["forces", "nk_casualties", "timeline", "troops"]

    # A file no chapter reads: nothing runs.
    with open(book_copy / "data" / "README.md", "a", encoding="utf-8") as readme:
        readme.write("\nA note.\n")
    assert build(book_copy) == 0
    assert executed(capfd.readouterr().out) == set()

    # One row of the Vietnam comparison: exactly the chapters that recorded loading that topic.
    readers = {c for c, r in records.items() if r["topics"] is None or (r["topics"] and "vietnam" in r["topics"])}
    assert "chapters/vietnam.md" in readers and "chapters/troops.md" not in readers
    claims = book_copy / "data" / "claims.csv"
    text = claims.read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("vietnam-nyt-2024-10-23-total,"))
    claims.write_text(text.replace(row, row.replace(",320000,", ",321000,", 1)), encoding="utf-8")
    assert build(book_copy) == 0
    assert executed(capfd.readouterr().out) == readers
    assert "321,000" in (book_copy / "_build" / "html" / "chapters" / "vietnam.html").read_text(encoding="utf-8")

    # Nothing changed: no execution and no render.
    assert build(book_copy) == 0
    assert "Nothing changed since the last good build" in capfd.readouterr().out


BROKEN_REFERENCES = chapter("""
# A chapter with broken references

```{code-cell} ipython3
from myst_nb import glue
glue("known_key", 1, display=False)
```

An unknown source {cite:p}`nosuchkey1999`, a label that does not exist {ref}`no-such-label`,
and a glue key nobody set {glue:text}`no_such_glue_key`.
""")


def test_unknown_citation_reference_or_glue_key_fails_the_build(book_copy, capfd):
    (book_copy / "chapters" / "99-broken.md").write_text(BROKEN_REFERENCES, encoding="utf-8")
    with open(book_copy / "_toc.yml", "a", encoding="utf-8") as toc:
        toc.write("  - file: chapters/99-broken\n")
    assert build(book_copy) != 0
    log = "".join(capfd.readouterr())
    assert 'could not find bibtex key "nosuchkey1999"' in log
    assert "undefined label: 'no-such-label'" in log
    assert "no_such_glue_key" in log
    assert not (book_copy / "_build" / "html").exists()


def test_text_that_looks_like_markup_is_shown_not_run(book_copy):
    edit_claim(book_copy, "troops-nis-2024-10-23", "note", "<script>alert(1)</script> <b>bold</b> {cite:p}`x` | pipe")
    assert build(book_copy) == 0
    for page in ("troops.html", "ledger.html"):
        html = (book_copy / "_build" / "html" / "chapters" / page).read_text(encoding="utf-8")
        assert "<script>alert(1)" not in html and "<b>bold</b>" not in html, page
    html = (book_copy / "_build" / "html" / "chapters" / "troops.html").read_text(encoding="utf-8")
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, "troops.html does not show the note as text"
    # The ledger page carries the note as data, which its script sets as text (tests/test_browser.py).
    notes = {r["claim_id"]: r["note"] for r in ledger_page_records(book_copy / "_build" / "html")}
    assert notes["troops-nis-2024-10-23"].startswith("<script>alert(1)</script> <b>bold</b>")


WARM_KERNEL_CHAPTER = chapter("""
# What a forked kernel sees

```{code-cell} ipython3
import os, sys
from myst_nb import glue
glue("preloaded", "pandas" in sys.modules, display=False)
glue("cwd", os.path.basename(os.getcwd()), display=False)
print("to stdout")
```
""")


def outputs_of(notebook) -> list:
    return [cell.get("outputs", []) for cell in notebook.cells if cell.cell_type == "code"]


def glued_values(outputs) -> dict:
    """Each glued name's plain-text value (myst-nb stores it under a prefixed mime type)."""
    return {o["metadata"]["scrapbook"]["name"]: next(v for k, v in o["data"].items() if k.endswith("text/plain"))
            for o in outputs if "scrapbook" in o.get("metadata", {})}


def run_chapter(path, fork: bool, monkeypatch):
    """Execute one chapter as the build does, with kernels forked from the zygote or started plainly."""
    from jupyter_cache.executors.utils import single_nb_execution

    from nkreport.build import kernels
    from nkreport.build.execute import CLIENT_OPTIONS, read_notebook

    monkeypatch.setenv(kernels.SWITCH_VARIABLE, "1" if fork else "0")
    monkeypatch.setenv("NKREPORT_DATA_DIR", str(path.parents[1] / "data"))
    notebook = read_notebook(path)
    with kernels.zygote():
        result = single_nb_execution(notebook, cwd=str(path.parent), allow_errors=False, **CLIENT_OPTIONS)
    assert result.err is None, result.exc_string
    return notebook


def test_a_forked_kernel_runs_a_chapter_as_a_plain_kernel_does(book_copy, monkeypatch):
    """nkreport.build.kernels forks each chapter's kernel from a process that preloaded the libraries;
    the chapter must not be able to tell, except by what is already imported."""
    probe = book_copy / "chapters" / "99-probe.md"
    probe.write_text(WARM_KERNEL_CHAPTER, encoding="utf-8")
    forked, plain = run_chapter(probe, True, monkeypatch), run_chapter(probe, False, monkeypatch)
    glued = glued_values(outputs_of(forked)[0])
    assert glued["preloaded"] == "True"  # the fork path was really taken
    assert glued["cwd"] == "'chapters'"
    plain_glued = glued_values(outputs_of(plain)[0])
    assert plain_glued["cwd"] == "'chapters'"
    assert [o for o in outputs_of(forked)[0] if o["output_type"] == "stream"] == \
        [o for o in outputs_of(plain)[0] if o["output_type"] == "stream"]
    # a real chapter: the same outputs, byte for byte
    troops = book_copy / "chapters" / "troops.md"
    assert outputs_of(run_chapter(troops, True, monkeypatch)) == outputs_of(run_chapter(troops, False, monkeypatch))


MANY_OUTPUTS = 5000
MANY_OUTPUTS_CHAPTER = chapter(f"""
# A cell that glues thousands of values at once, as a chapter does over a large ledger

```{{code-cell}} ipython3
from myst_nb import glue
from nkreport.report.notebook import _streams_flushed_once
with _streams_flushed_once():
    for i in range({MANY_OUTPUTS}):
        glue(f"value_{{i}}", i, display=False)
```
""")


def test_a_forked_kernel_delivers_every_output_of_a_cell_that_sends_thousands(book_copy, monkeypatch):
    probe = book_copy / "chapters" / "many.md"
    probe.write_text(MANY_OUTPUTS_CHAPTER, encoding="utf-8")
    glued = glued_values(outputs_of(run_chapter(probe, True, monkeypatch))[0])
    assert len(glued) == MANY_OUTPUTS and glued[f"value_{MANY_OUTPUTS - 1}"] == str(MANY_OUTPUTS - 1)


def test_a_png_that_cannot_be_drawn_fails_the_build(book_copy, capfd):
    """PNGs are rasterised while Sphinx renders (charts.rasterise_queued); a failure there must
    fail the build like any other, not leave a book with a missing or stale image."""
    assert build(book_copy) == 0
    queue = book_copy / "_build" / ".png-queue"
    queue.mkdir(parents=True, exist_ok=True)
    (queue / "fig-broken.pickle").write_bytes(b"not a pickled figure")
    (book_copy / "_build" / ".html.sources").unlink()  # render again too
    assert build(book_copy) == 1
    assert "could not be drawn" in capfd.readouterr().err
    assert not (book_copy / "_build" / "html").exists()
    assert build(book_copy) == 0  # and the next build starts afresh
