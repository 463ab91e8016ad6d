"""The build's staleness rules, without building: what a chapter's outputs depend on."""

import shutil
from pathlib import Path

import pytest

from nkreport.build import execute
from nkreport.build.inputs import chapter_code_digest, view_digests
from nkreport.report.export import png_key

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def data(tmp_path):
    shutil.copytree(ROOT / "data", tmp_path / "data")
    return tmp_path / "data"


def edit_first_row_of(data: Path, topic: str, column: str = "note", text: str = "edited") -> None:
    import csv
    import io

    path = data / "claims.csv"
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    next(r for r in rows if r["topic"] == topic)[column] = text
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")


def test_view_digests_follow_the_rows_of_their_topics(data):
    troops, shipments, everything = view_digests(data, {"troops"}), view_digests(data, {"shipments"}), view_digests(data, None)
    edit_first_row_of(data, "troops")
    assert view_digests(data, {"troops"})["data/claims.csv"] != troops["data/claims.csv"]
    assert view_digests(data, {"shipments"}) == shipments
    assert view_digests(data, None)["data/claims.csv"] != everything["data/claims.csv"]


def test_a_spreadsheet_save_of_the_ledger_is_the_same_view(data):
    before = view_digests(data, None)
    path = data / "claims.csv"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes().replace(b"\n", b"\r\n"))
    assert view_digests(data, None) == before


def test_build_code_is_not_chapter_code(tmp_path):
    package = tmp_path / "nkreport"
    shutil.copytree(ROOT / "nkreport", package, ignore=shutil.ignore_patterns("__pycache__"))
    before = chapter_code_digest(package)
    (package / "build" / "book.py").write_text("# edited\n", encoding="utf-8")
    assert chapter_code_digest(package) == before
    (package / "report" / "text.py").write_text("# edited\n", encoding="utf-8")
    assert chapter_code_digest(package) != before


@pytest.mark.parametrize("read, declared, words", [
    ({"troops"}, {"troops", "forces"}, None),
    ({"troops", "shipments"}, {"troops"}, "the topics shipments"),
    (None, {"troops"}, "the whole ledger"),
    (None, None, None),
    (False, {"troops"}, None),
])
def test_a_chapter_may_read_what_it_declares_and_no_more(read, declared, words):
    assert execute._undeclared(read, declared) == words


def test_a_pngs_key_follows_its_chart_and_nothing_else():
    assert png_key(b"<svg>a</svg>") == png_key(b"<svg>a</svg>")
    assert png_key(b"<svg>a</svg>") != png_key(b"<svg>b</svg>")


def test_the_light_build_module_names_the_same_paths_and_variables_as_the_heavy_ones():
    from nkreport.build import book
    from nkreport.build.sphinxext import pages
    from nkreport.data import ledger

    assert book.DATA_DIR_VARIABLE == ledger.DATA_DIR_VARIABLE
    assert book.CACHE == execute.CACHE
    assert book.PROSE_VARIABLE == pages.PROSE_VARIABLE


def test_the_benchmark_s_plain_build_makes_the_book_s_pages():
    from nkreport.build import bench
    from nkreport.report import notebook

    assert bench.PLAIN_ENV == {notebook.BOOK_PAGE_VARIABLE: "1"}
