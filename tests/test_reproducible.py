"""Same inputs, same bytes: two clean builds agree, and the committed figures, chart font and README are what the build writes."""

import filecmp
import shutil
import subprocess
from pathlib import Path

import pytest

from nkreport.build import readme
from nkreport.build import build

ROOT = Path(__file__).resolve().parent.parent
PARTS = ("_config.yml", "_toc.yml", "CITATION.cff", "_static", "chapters", "data")


def differing(a: Path, b: Path) -> list[str]:
    """Files that differ or exist on one side only, recursively."""
    found = []
    compare = filecmp.dircmp(a, b)
    found += [f"only in one build: {n}" for n in compare.left_only + compare.right_only]
    for name in compare.common_files:
        if not filecmp.cmp(a / name, b / name, shallow=False):
            found.append(name)
    for sub in compare.common_dirs:
        found += [f"{sub}/{d}" for d in differing(a / sub, b / sub)]
    return found


def test_two_clean_builds_are_byte_identical(book_html, tmp_path):
    # A second build from nothing (no cache, no figures), in another folder: no path, date or
    # random id may leak into the output.
    for part in PARTS:
        source = ROOT / part
        (shutil.copytree if source.is_dir() else shutil.copy2)(source, tmp_path / part)
    shutil.rmtree(tmp_path / "_static" / "fonts")  # written again from the charts' characters
    assert build(tmp_path) == 0
    # `make pdf` (run by the print tests on the shared build) adds pdf/ to it; the build does not.
    found = differing(book_html, tmp_path / "_build" / "html")
    assert [d for d in found if d != "only in one build: pdf"] == []
    assert differing(ROOT / "figures", tmp_path / "figures") == []


def test_committed_figures_and_readme_equal_what_the_build_writes(book_html, ledger):
    assert readme.updated((ROOT / "README.md").read_text(encoding="utf-8"), ledger) == \
        (ROOT / "README.md").read_text(encoding="utf-8"), "README.md's key figures are stale: run make book"
    if not (ROOT / ".git").exists():
        pytest.skip("not a git checkout")
    status = subprocess.run(["git", "status", "--porcelain", "--", "figures", "_static/fonts", "README.md"], cwd=ROOT,
                            capture_output=True, text=True, check=True).stdout
    assert status == "", f"the build changed committed files:\n{status}"
