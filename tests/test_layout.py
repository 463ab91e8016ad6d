"""The package's layout shows its parts, and imports run one way: build -> chapters -> report -> data."""

import ast
from pathlib import Path

import pytest

from nkreport import chapters
from nkreport.report import patches

PACKAGE = Path(__file__).resolve().parent.parent / "nkreport"
ROOT = PACKAGE.parent
# Each part may import only the parts after it.
FLOW = ("build", "chapters", "report", "data")


def part_of(path: Path) -> str | None:
    relative = path.relative_to(PACKAGE).parts
    return relative[0] if len(relative) > 1 and relative[0] in FLOW else None


def imported_parts(path: Path) -> set[str]:
    """The parts of nkreport a module imports, relative or absolute, anywhere in the file."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    found = set()
    for node in ast.walk(tree):
        names = []
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package[: len(package) - node.level]
                module = base + (node.module.split(".") if node.module else [])
                names = [module + [alias.name] for alias in node.names] if not node.module else [module]
            elif node.module:
                names = [node.module.split(".")]
        elif isinstance(node, ast.Import):
            names = [alias.name.split(".") for alias in node.names]
        for name in names:
            if len(name) > 1 and name[0] == "nkreport" and name[1] in FLOW:
                found.add(name[1])
    return found


def test_the_folder_tree_shows_the_four_parts():
    assert {p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists()} == set(FLOW)
    assert not [p.name for p in PACKAGE.glob("*.py") if p.name != "__init__.py"], "modules belong in a part"


@pytest.mark.parametrize("path", sorted(PACKAGE.rglob("*.py")), ids=lambda p: str(p.relative_to(PACKAGE)))
def test_no_module_imports_against_the_flow(path):
    part = part_of(path)
    if part is None:
        return
    allowed = set(FLOW[FLOW.index(part):])
    against = imported_parts(path) - allowed
    assert not against, f"{path.relative_to(ROOT)} ({part}) imports {sorted(against)}: imports run build -> chapters -> report -> data"


def test_the_import_check_catches_an_import_against_the_flow(tmp_path):
    module = PACKAGE / "data" / "_probe_against_flow.py"
    module.write_text("from ..report.text import thousands\n", encoding="utf-8")
    try:
        assert imported_parts(module) == {"report"}
    finally:
        module.unlink()


def test_every_notebook_chapter_has_a_module_that_declares_its_topics():
    notebooks = [p.stem for p in (ROOT / "chapters").glob("*.md")
                 if "kernelspec:" in p.read_text(encoding="utf-8")[:600]]
    assert sorted(notebooks) == sorted(chapters.names())
    for name in chapters.names():
        topics = chapters.module(name).TOPICS
        assert topics is None or (isinstance(topics, tuple) and all(isinstance(t, str) for t in topics)), name


def test_every_chart_belongs_to_the_chapter_whose_module_lists_it():
    for name in chapters.names():
        for chart in getattr(chapters.module(name), "FIGURES", ()):
            assert chart.chapter == f"chapters/{name}.md", chart.label


def test_no_data_module_knows_about_the_build_cache():
    for path in (PACKAGE / "data").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "digest" not in text and "jupyter_cache" not in text, path


def test_the_patched_library_code_is_the_code_each_patch_was_written_for():
    import ipykernel.zmqshell
    import pybtex.plugin
    from sphinxcontrib.bibtex import plugin

    patches.check("ipykernel ZMQDisplayPublisher._flush_streams", ipykernel.zmqshell.ZMQDisplayPublisher._flush_streams)
    patches.check("pybtex.plugin._load_entry_point", pybtex.plugin.__dict__["_load_entry_point"].__wrapped__
                  if hasattr(pybtex.plugin._load_entry_point, "__wrapped__") else pybtex.plugin._load_entry_point)
    patches.check("sphinxcontrib.bibtex.plugin._entry_points", plugin._entry_points.__wrapped__
                  if hasattr(plugin._entry_points, "__wrapped__") else plugin._entry_points)


def test_a_patch_of_changed_library_code_fails_naming_the_patch(monkeypatch):
    def other_code():
        return None

    with pytest.raises(patches.PatchOutdated, match="pybtex.plugin._load_entry_point"):
        patches.check("pybtex.plugin._load_entry_point", other_code)
    monkeypatch.setitem(patches.PATCHES, "pybtex.plugin._load_entry_point", ("pybtex", "0.0.1", "x"))
    with pytest.raises(patches.PatchOutdated, match="written for pybtex 0.0.1"):
        patches.check("pybtex.plugin._load_entry_point", other_code)
