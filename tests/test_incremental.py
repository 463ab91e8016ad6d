"""A prose edit renders incrementally, and the result is what a fresh render writes.

The route is nkreport.build.book (prose-only changes skip validation and execution) and
nkreport/build/sphinxext/incremental.py (which other pages must be written again).
"""

import shutil
import subprocess
import sys
from pathlib import Path

from nkreport.build import build, sources, warm

EDITED = "chapters/troops.md"
LABEL = "(ch-troops)="


def tree(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_a_prose_edit_is_incremental_strict_and_writes_what_a_fresh_render_writes(book_copy, capfd, monkeypatch):
    assert build(book_copy) == 0
    capfd.readouterr()
    page = book_copy / EDITED
    original = page.read_text(encoding="utf-8")
    assert "\n## Two waves, one total\n" in original and LABEL in original

    # 1. A sentence of prose: only the pages that need it are written.
    edited = original.replace("\n## Two waves, one total\n", "\n## Two waves, one total\n\nAn added sentence.\n", 1)
    page.write_text(edited, encoding="utf-8")
    assert sources.prose_changes(book_copy) == {EDITED}
    with monkeypatch.context() as env:
        env.setenv("PYTHONPROFILEIMPORTTIME", "1")  # the render process lists what it imports
        assert build(book_copy) == 0
    captured = capfd.readouterr()
    log = captured.out
    assert "Only prose changed (chapters/troops.md)" in log and "Book built (incrementally)" in log
    assert "execute " not in log
    imported = {line.rsplit("|", 1)[-1].strip() for line in captured.err.splitlines() if line.startswith("import time:")}
    assert "sphinx.application" in imported, "the render's imports were not listed"
    assert not imported & {"pandas", "matplotlib", "nkreport.data.ledger"}, "a prose edit's render loaded the data stack"
    assert "An added sentence." in (book_copy / "_build/html/chapters/troops.html").read_text(encoding="utf-8")
    incremental = tree(book_copy / "_build" / "html")

    # 2. A label other pages refer to, renamed: the unchanged pages that refer to it fail the
    # strict build, and nothing is left to build upon.
    page.write_text(edited.replace(LABEL, "(ch-troops-renamed)=", 1), encoding="utf-8")
    assert build(book_copy) != 0
    log = capfd.readouterr()
    assert "ch-troops" in log.out + log.err and "Book built" not in log.out
    assert not (book_copy / "_build" / "html").exists() and not (book_copy / "_build" / ".doctrees").exists()
    assert sources.recorded(book_copy, "html") is None

    # 3. Back to the sources of step 1: a fresh render (the last build failed), byte for byte
    # what the incremental one wrote.
    page.write_text(edited, encoding="utf-8")
    assert build(book_copy) == 0
    log = capfd.readouterr().out
    assert "Only prose changed" not in log and "Book built: " in log
    fresh = tree(book_copy / "_build" / "html")
    assert fresh.keys() == incremental.keys()
    assert [name for name in fresh if fresh[name] != incremental[name]] == []

    # 4. The live preview's route: the same edit, rendered by a fork of the warm renderer
    # (nkreport.build.warm), writes the same bytes.
    page.write_text(original, encoding="utf-8")
    assert build(book_copy) == 0
    forked_before = warm.renders
    with warm.renderer() as socket_path:
        assert socket_path
        page.write_text(edited, encoding="utf-8")
        assert build(book_copy) == 0
    assert warm.renders == forked_before + 1
    log = capfd.readouterr().out
    assert "Book built (incrementally)" in log
    forked = tree(book_copy / "_build" / "html")
    assert [name for name in fresh if fresh[name] != forked.get(name)] == [] and forked.keys() == fresh.keys()


def test_a_build_with_nothing_to_do_answers_without_importing_pandas(book_html):
    root = Path(__file__).resolve().parent.parent
    assert sources.is_current(root), "the book was just built"
    probe = ("import runpy, sys\n"
             "sys.argv = ['nkreport.build']\n"
             "try:\n    runpy.run_module('nkreport.build', run_name='__main__')\n"
             "except SystemExit as exit:\n    assert exit.code == 0, exit.code\n"
             "print('pandas' in sys.modules, 'sphinx' in sys.modules)\n")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, cwd=root, check=True)
    assert "Nothing changed since the last good build" in result.stdout
    assert result.stdout.strip().splitlines()[-1] == "False False"


def test_prose_that_names_a_claim_its_chapter_did_not_glue_runs_that_chapter_again(book_copy, capfd):
    """A chapter glues only the claims its page names (report.notebook.GLUE_KEYS_VARIABLE), so prose
    that starts naming another claim is not prose alone: its chapter, and only it, runs again."""
    from nkreport import load

    assert build(book_copy) == 0
    capfd.readouterr()
    page = book_copy / EDITED
    original = page.read_text(encoding="utf-8")
    named = sources.glue_keys(original)
    claims = load(book_copy / "data").claims
    claim_id = next(c for c in claims.loc[(claims["topic"] == "troops") & claims["value"].notna(), "claim_id"]
                    if not {c.replace("-", "_") + s for s in ("", "_bare", "_date")} & named)
    name = claim_id.replace("-", "_")
    page.write_text(original.replace("\n## Two waves, one total\n",
                                     f"\n## Two waves, one total\n\nA figure: {{glue:md}}`{name}_bare:myst`.\n", 1),
                    encoding="utf-8")
    assert sources.prose_changes(book_copy) is None
    assert build(book_copy) == 0
    log = capfd.readouterr().out
    assert f"execute {EDITED}: its prose refers to {name}_bare" in log
    assert [line for line in log.splitlines() if line.startswith("execute ")] == [
        line for line in log.splitlines() if line.startswith(f"execute {EDITED}:")]
    html = (book_copy / "_build/html/chapters/troops.html").read_text(encoding="utf-8")
    assert f"claim-{claim_id}" in html
