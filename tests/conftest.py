"""Shared fixtures: the real ledger, the real book built once per session, and throwaway book copies."""

import os
import shutil
from pathlib import Path

import pytest

from nkreport import load
from nkreport.build import build

ROOT = Path(__file__).resolve().parent.parent
# What a book needs besides the package, which the kernel imports from its installed location.
BOOK_PARTS = ("_config.yml", "_toc.yml", "CITATION.cff", "_static", "chapters", "data")


# A test that needs the built book (or a copy of it to break) is a build test: it waits for a
# full build. `pytest -m "not build"` runs the others, the rules and helpers, in seconds.
BUILD_FIXTURES = {"book_html", "book_copy"}


def pytest_collection_modifyitems(items):
    for item in items:
        if BUILD_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.build)


@pytest.fixture(scope="session")
def ledger():
    return load()


@pytest.fixture(scope="session")
def book_html() -> Path:
    """Build the real book, strictly, as `make book` does, and return its HTML folder.

    NKREPORT_TEST_HTML=<folder> tests an HTML folder built already (for authors checking a
    chapter while another build runs); CI never sets it.
    """
    prebuilt = os.environ.get("NKREPORT_TEST_HTML")
    if prebuilt:
        return Path(prebuilt)
    assert build(ROOT) == 0, "the book did not build; run `make book` to see why"
    return ROOT / "_build" / "html"


@pytest.fixture
def book_copy(tmp_path, book_html) -> Path:
    """A copy of the book's sources in a temporary folder, to break on purpose.

    It starts with the real book's notebook cache, input records and figures, so only what a
    test changes is executed again.
    """
    for part in BOOK_PARTS + ("figures", "_build/.jupyter_cache", "_build/.inputs"):
        source = ROOT / part
        if source.is_dir():
            shutil.copytree(source, tmp_path / part)
        elif source.exists():
            shutil.copy2(source, tmp_path / part)
    return tmp_path


@pytest.fixture(scope="session")
def pdf_dir(book_html) -> Path:
    """`make pdf` run once: the whole book and each chapter printed into _build/pdf/, and copied
    into the HTML book's pdf/ folder."""
    from nkreport.build.pdf import make_pdf

    assert make_pdf(ROOT, site=book_html) == 0, "make pdf failed"
    return ROOT / "_build" / "pdf"
