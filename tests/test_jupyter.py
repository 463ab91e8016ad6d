"""The chapters in Jupyter: run outside the build, a chapter shows its charts, the figures it glues
and its tables; each chapter that draws charts has a cell, removed from the book, that redraws them
for a reader's claimants and dates; JupyterLab (make lab) saves a chapter as the same MyST file."""

import base64
import io
import re
import sys
from pathlib import Path

import jupytext
import matplotlib
import pandas as pd
import pytest
from jupytext.config import load_jupytext_config
from PIL import Image

from nkreport import chapters, load
from nkreport.chapters import troops
from nkreport.data.ledger import DATA_DIR_VARIABLE, RECORD_VARIABLE
from nkreport.report import facts, notebook
from nkreport.report.export import FIGURES_DIR_VARIABLE, FIGURES_RECORD_VARIABLE, PNG_QUEUE_VARIABLE
from nkreport.report.text import figure_text

matplotlib.use("agg")
ROOT = Path(__file__).resolve().parent.parent
BUILD_VARIABLES = (DATA_DIR_VARIABLE, RECORD_VARIABLE, FIGURES_DIR_VARIABLE, FIGURES_RECORD_VARIABLE,
                   PNG_QUEUE_VARIABLE)
CHARTED = [name for name in chapters.names() if getattr(chapters.module(name), "FIGURES", ())]


def explore_cells(name: str) -> list:
    notebook_ = jupytext.read(ROOT / "chapters" / f"{name}.md")
    return [c for c in notebook_.cells if c.cell_type == "code" and "explore(ledger," in c.source]


# --- The explore cell of every chapter that draws charts -------------------------------------------

@pytest.mark.parametrize("name", CHARTED)
def test_every_chapter_with_charts_has_an_explore_cell_the_book_removes(name):
    cells = explore_cells(name)
    assert len(cells) == 1, f"chapters/{name}.md has {len(cells)} explore cells, not one"
    cell = cells[0]
    assert "remove-cell" in cell.metadata.get("tags", []), "the explore cell would be published"
    alias = "places_map" if name == "map" else name
    assert f"explore(ledger, {alias}.FIGURES, claimants=None, since=None, until=None)" in cell.source
    for chart in chapters.module(name).FIGURES:
        drawer = f"{chart.draw.__module__}.{chart.draw.__qualname__}"
        assert drawer in " ".join(line.lstrip("# ") for line in cell.source.splitlines()), \
            f"the cell does not name {drawer}, which draws {chart.label}"


def test_the_check_finds_a_chapter_without_its_explore_cell(tmp_path, monkeypatch):
    page = tmp_path / "chapters" / "troops.md"
    page.parent.mkdir()
    text = (ROOT / "chapters" / "troops.md").read_text(encoding="utf-8")
    page.write_text(text.replace(":tags: [remove-cell]\n\n# In Jupyter", ":tags: [remove-input]\n\n# In Jupyter"),
                    encoding="utf-8")
    monkeypatch.setattr(sys.modules[__name__], "ROOT", tmp_path)
    with pytest.raises(AssertionError, match="would be published"):
        test_every_chapter_with_charts_has_an_explore_cell_the_book_removes("troops")


# --- explore: the settings and what is drawn --------------------------------------------------------

@pytest.fixture(scope="module")
def troop_ledger():
    return load(topics=troops.TOPICS)


def test_an_unknown_claimant_is_refused_with_the_chart_s_claimants(troop_ledger):
    with pytest.raises(ValueError, match="'kr-nsi' is not a claimant id of data/claimants.csv") as err:
        notebook.explore_settings(troop_ledger, troops.FIGURES, claimants=["kr-nsi"])
    assert "'kr-nis' (South Korea: NIS)" in str(err.value) and "'ua-hur' (Ukraine: HUR)" in str(err.value)


def test_a_claimant_the_chart_does_not_draw_is_refused(troop_ledger):
    drawn = set(troops.plotted_claims(troop_ledger)["claimant"])
    absent = sorted(set(troop_ledger.claimants["claimant_id"]) - drawn)[0]
    with pytest.raises(ValueError, match=f"draw no claim of '{absent}'"):
        notebook.explore_settings(troop_ledger, troops.FIGURES, claimants=absent)


@pytest.mark.parametrize("settings, message", [
    ({"since": "2025-13-01"}, "is not a date"),
    ({"since": "2025-06-01", "until": "2025-01-01"}, "is after until"),
    ({"since": "2099-01-01"}, "no claim the charts draw passes"),
    ({"claimants": []}, "leaves nothing to draw"),
])
def test_settings_that_cannot_be_drawn_are_refused(troop_ledger, settings, message):
    with pytest.raises(ValueError, match=message):
        notebook.explore_settings(troop_ledger, troops.FIGURES, **settings)


def test_no_settings_filter_nothing(troop_ledger):
    assert notebook.explore_settings(troop_ledger, troops.FIGURES) is None


def test_a_redrawn_chart_draws_only_the_chosen_claimants_and_dates(troop_ledger):
    chosen = ["kr-nis", "ua-hur"]
    keep = notebook.explore_settings(troop_ledger, troops.FIGURES, claimants=chosen, since="2024-11-01")
    fig, drawn = notebook.redraw(troop_ledger, troops.FIGURES[0], keep)
    rows = troop_ledger.claims[troop_ledger.claims["claim_id"].isin(drawn)]
    assert set(rows["claimant"]) == set(chosen)
    assert rows["as_of"].min() >= pd.Timestamp("2024-11-01")
    wanted = troops.plotted_claims(troop_ledger)
    wanted = wanted[wanted["claimant"].isin(chosen) & (wanted["as_of"] >= "2024-11-01")]
    assert set(drawn) == set(wanted["claim_id"]), "a chosen claim is missing from the redrawn chart"
    # the chapter's own rules stay: the title states the same headline as the published chart
    assert fig.get_label() == troops.chart_title(troop_ledger)
    # and the module's function is itself again afterwards
    assert len(troops.plotted_claims(troop_ledger)) > len(wanted)


def test_nothing_is_shown_in_the_build(troop_ledger, monkeypatch, capsys):
    monkeypatch.setenv(FIGURES_DIR_VARIABLE, "/nonexistent")
    shown = []
    monkeypatch.setattr(notebook, "display", lambda *a, **k: shown.append(a))
    monkeypatch.setattr(notebook, "redraw", lambda *a: pytest.fail("explore drew a chart in the build"))
    notebook.explore(troop_ledger, troops.FIGURES, claimants=["kr-nis"])
    assert not shown
    with pytest.raises(ValueError, match="not a claimant id"):  # the settings are still checked
        notebook.explore(troop_ledger, troops.FIGURES, claimants=["nobody"])


# --- MyST written for Jupyter ------------------------------------------------------------------------

def test_myst_only_syntax_is_written_for_jupyter():
    text = ("(kj-x)=\n```{table} Every claim\n:name: tbl-x\n:class: claims-table\n\n| a | b |\n|---|---|\n"
            "| [13 Oct 2024]{.claim-row .claim-row-x} | {cite:p}`one,two` |\n```\n"
            "See {numref}`tbl-x` and {ref}`the caveats <sec-caveats>`.\n"
            "```{glue:figure} fig_x\n:name: fig-x\n:alt: Alt\n\nThe caption.\n```\n")
    shown = notebook.jupyter_markdown(text)
    assert shown.startswith("**Every claim**\n\n| a | b |")
    assert "| 13 Oct 2024 | [one, two] |" in shown
    assert "See tbl-x and the caveats." in shown
    assert "*The caption.*" in shown
    assert "{" not in shown and "(kj-x)=" not in shown and ":name:" not in shown


# --- JupyterLab saves a chapter as it was ------------------------------------------------------------

@pytest.mark.parametrize("name", [p.stem for p in sorted((ROOT / "chapters").glob("*.md"))
                                  if "kernelspec:" in p.read_text(encoding="utf-8")[:600]])
def test_a_chapter_saved_by_jupytext_is_unchanged(name):
    """What JupyterLab's jupytext contents manager writes on save, with the project's jupytext.toml."""
    path = ROOT / "chapters" / f"{name}.md"
    text = path.read_text(encoding="utf-8")
    config = load_jupytext_config(str(path))
    assert config is not None, "jupytext.toml is not found from chapters/"
    fmt = {"extension": ".md", "format_name": "myst"}
    config.set_default_format_options(fmt)
    assert jupytext.writes(jupytext.reads(text, fmt="md:myst"), fmt=fmt) == text


# --- A chapter run in a plain kernel, outside the build ----------------------------------------------

def outputs_of(cell) -> list[dict]:
    return cell.get("outputs", [])


@pytest.mark.kernel
def test_the_troop_chapter_shows_its_work_in_jupyter(troop_ledger, monkeypatch):
    """As a reader runs it: jupytext to a notebook, the python3 kernel, in chapters/, no build variables."""
    from nbclient import NotebookClient

    for name in BUILD_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    nb = jupytext.read(ROOT / "chapters" / "troops.md")
    probe = jupytext.reads("explore(ledger, troops.FIGURES, claimants=['kr-nis', 'ua-hur'])", fmt="py:percent")
    nb.cells.append(probe.cells[0])
    NotebookClient(nb, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(ROOT / "chapters")}}).execute()

    outputs = [o for cell in nb.cells for o in outputs_of(cell)]
    assert not [o for o in outputs if o["output_type"] == "error"]
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    noted = [o["metadata"]["image/png"].get("nkreport", {}) for o in images]
    charts = [note for note in noted if note.get("label") == "fig-troop-estimates"]
    assert len(charts) == 2, "the chart, and its redrawing by explore"
    published, explored = charts
    first = images[noted.index(published)]
    width, height = Image.open(io.BytesIO(base64.b64decode(first["data"]["image/png"]))).size
    assert width > 500 and height > 1000, "the chart is shown at a readable size"
    assert set(published["claims"]) == set(troops.plotted_claims(troop_ledger)["claim_id"])

    claimants = troop_ledger.claims.set_index("claim_id")["claimant"]
    assert set(claimants[explored["claims"]]) == {"kr-nis", "ua-hur"}

    shown = "\n".join(o.get("data", {}).get("text/markdown", "") for o in outputs)
    sent = facts.combat_troops_sent(troop_ledger.claims)
    assert f"| `combat_troops_sent` | {figure_text(sent)} |" in shown, "the glued figures are not listed"
    assert "| `n_troop_claims` |" in shown
    assert "**Every claim about North Korean troops in the ledger" in shown, "the claims table has no caption"
    assert "```{table}" not in shown and "{cite:p}" not in shown, "MyST is shown as code in Jupyter"
    assert "nkreport.chapters.troops.estimates_figure" in shown and "'ua-hur' (Ukraine: HUR)" in shown


# --- The published page ------------------------------------------------------------------------------

def test_the_published_page_shows_no_trace_of_the_explore_cell(book_html):
    page = (book_html / "chapters" / "troops.html").read_text(encoding="utf-8")
    for trace in ("explore", "In Jupyter", "claimants=None", "the book removes this cell"):
        assert trace not in page, f"the troop page shows {trace!r}"


# --- make lab: JupyterLab pinned apart ---------------------------------------------------------------

def pins(path: Path) -> dict[str, str]:
    lines = [line.split("#")[0].strip() for line in path.read_text(encoding="utf-8").splitlines()]
    found = {}
    for line in filter(None, lines):
        name, sep, version = line.partition("==")
        assert sep and version, f"{path.name}: '{line}' is not pinned exactly (name==version)"
        found[re.sub(r"[-_.]+", "-", name).lower()] = version
    return found


def test_jupyterlab_is_pinned_apart_from_what_the_book_installs():
    lab = pins(ROOT / "requirements-lab.txt")
    assert "jupyterlab" in lab
    book = pins(ROOT / "requirements.txt") | pins(ROOT / "constraints.txt")
    assert "jupyterlab" not in book, "make book would install JupyterLab"
    assert "jupytext" in book, "the book's environment opens chapters as notebooks only with jupytext"
    both = sorted(set(lab) & set(book))
    assert not both, f"requirements-lab.txt pins what the book's requirements pin: {both}"
