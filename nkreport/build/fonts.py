"""The chart font: one subset of DejaVu Sans for the text of every chart in the book.

Charts are set in DejaVu Sans, the font matplotlib measures their text with. On the web page
they are SVG inline in the HTML (report.export.page_svg), so one font file, cached once by the
browser, serves them all; _static/report.css declares it. The subset holds exactly the
characters the charts use, by weight, as each chapter recorded them while drawing its charts
(nkreport.build.execute). It is written again only when those characters change, from the copy of
DejaVu Sans that ships with the pinned matplotlib, so the files are the same on every machine.
"""

from __future__ import annotations

import io
import json
import shutil
from pathlib import Path

from .execute import notebook_chapters, record_path

FONT_DIR = Path("_static") / "fonts"
WEIGHTS = {"400": "normal", "700": "bold"}
INDEX = "chart-font.json"


def font_file(weight: str) -> str:
    return f"nkreport-chart-{weight}.woff"


def required_characters(root: Path) -> dict[str, str]:
    """The characters the charts of every chapter use, by weight, from the chapters' records."""
    found: dict[str, set[str]] = {w: set() for w in WEIGHTS}
    for chapter in notebook_chapters(root):
        path = record_path(root, chapter)
        if path.exists():
            for weight, chars in json.loads(path.read_text(encoding="utf-8")).get("characters", {}).items():
                found[weight] |= set(chars)
    return {w: "".join(sorted(c)) for w, c in found.items()}


def subset_bytes(weight: str, characters: str) -> bytes:
    """DejaVu Sans of one weight cut down to `characters`, as WOFF with no name and no timestamps."""
    from fontTools import subset
    from matplotlib import font_manager

    path = font_manager.findfont(font_manager.FontProperties(family="DejaVu Sans", weight=WEIGHTS[weight]),
                                 fallback_to_default=False)
    options = subset.Options()
    options.flavor = "woff"
    options.name_IDs = []
    options.notdef_outline = True
    options.drop_tables += ["FFTM"]  # FontForge's timestamps: not needed, and not reproducible
    font = subset.load_font(path, options)
    subsetter = subset.Subsetter(options)
    subsetter.populate(text=characters or " ")
    subsetter.subset(font)
    buffer = io.BytesIO()
    subset.save_font(font, buffer, options)
    return buffer.getvalue()


def write(root: Path) -> bool:
    """Write the chart font for the characters the charts use, if they changed; True if written."""
    out = root / FONT_DIR
    characters = required_characters(root)
    index = out / INDEX
    files = [out / font_file(w) for w in WEIGHTS] + [out / "LICENSE_DEJAVU"]
    if index.exists() and all(f.exists() for f in files) and \
            json.loads(index.read_text(encoding="utf-8"))["characters"] == characters:
        return False
    import matplotlib

    out.mkdir(parents=True, exist_ok=True)
    for weight in WEIGHTS:
        (out / font_file(weight)).write_bytes(subset_bytes(weight, characters[weight]))
    # The Bitstream Vera licence DejaVu inherits asks every copy to carry it.
    shutil.copyfile(Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "LICENSE_DEJAVU", out / "LICENSE_DEJAVU")
    index.write_text(json.dumps({
        "about": "Subsets of DejaVu Sans (from matplotlib) for the text of the charts; written by nkreport.build.fonts.",
        "characters": characters,
    }, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    return True

