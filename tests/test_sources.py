"""What counts as a prose-only change (nkreport.build.sources): fast, no build."""

import shutil

from nkreport.build import sources


def make_book(root):
    (root / "chapters").mkdir()
    (root / "data").mkdir()
    (root / "_build" / "html").mkdir(parents=True)
    (root / "data" / "claims.csv").write_text("claim_id\nx\n")
    (root / "chapters" / "a.md").write_text("---\nkernelspec:\n  name: python3\n---\n\n# A\n\nProse.\n\n"
                                            "```{code-cell} ipython3\n:tags: [remove-cell]\n\nx = 1\n```\n\nMore prose.\n")
    sources.record(root, "html", sources.file_digests(root))


def edit(path, old, new):
    path.write_text(path.read_text().replace(old, new, 1))


def test_prose_changes_are_told_from_code_data_and_front_matter_changes(tmp_path):
    make_book(tmp_path)
    page = tmp_path / "chapters" / "a.md"
    assert sources.prose_changes(tmp_path) is None  # nothing changed
    edit(page, "More prose.", "More prose, edited.")
    assert sources.prose_changes(tmp_path) == {"chapters/a.md"}
    edit(page, "x = 1", "x = 2")
    assert sources.prose_changes(tmp_path) is None  # a code cell
    edit(page, "x = 2", "x = 1")
    edit(page, ":tags: [remove-cell]", ":tags: [remove-input]")
    assert sources.prose_changes(tmp_path) is None  # a cell's options
    edit(page, ":tags: [remove-input]", ":tags: [remove-cell]")
    edit(page, "name: python3", "name: python2")
    assert sources.prose_changes(tmp_path) is None  # the kernel
    edit(page, "name: python2", "name: python3")
    assert sources.prose_changes(tmp_path) == {"chapters/a.md"}
    (tmp_path / "data" / "claims.csv").write_text("claim_id\ny\n")
    assert sources.prose_changes(tmp_path) is None  # data too


def test_no_prose_route_without_a_good_build(tmp_path):
    make_book(tmp_path)
    edit(tmp_path / "chapters" / "a.md", "Prose.", "Prose, edited.")
    shutil.rmtree(tmp_path / "_build" / "html")
    assert sources.prose_changes(tmp_path) is None
    (tmp_path / "_build" / "html").mkdir()
    sources.stamp_path(tmp_path, "html").write_text("an old single digest")
    assert sources.prose_changes(tmp_path) is None
