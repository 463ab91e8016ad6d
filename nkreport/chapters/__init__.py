"""The chapters' own code: one module per chapter of the book, named as its file in chapters/.

Each module declares the ledger topics its chapter reads (TOPICS; None for the whole ledger)
and lists its charts (FIGURES, Chart records). The build finds both here, by the layout: a
module in this folder is a chapter's code, and chapters/<name>.md is executed with it.
"""

from __future__ import annotations

import importlib
import pkgutil
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

import yaml

if TYPE_CHECKING:  # a chapter module imports matplotlib itself; the ledger page's data files need none
    from ..report.style import Chart

BOOK = Path(__file__).resolve().parents[2]


def book_order() -> list[str]:
    """The chapter names (file stems) in the order of _toc.yml."""
    toc = yaml.safe_load((BOOK / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]] + [entry["file"] for entry in toc.get("chapters", [])]
    return [Path(f).stem for f in files]


@lru_cache(maxsize=None)
def names() -> tuple[str, ...]:
    """Every chapter module, in book order."""
    found = {m.name for m in pkgutil.iter_modules(__path__) if not m.name.startswith("_")}
    order = book_order()
    return tuple(sorted(found, key=lambda n: (order.index(n) if n in order else len(order), n)))


def module(name: str):
    """The module of chapter `name` ('troops' for chapters/troops.md)."""
    if name not in names():
        raise KeyError(f"no chapter module nkreport/chapters/{name}.py")
    return importlib.import_module(f"{__name__}.{name}")


def declared_topics(name: str) -> set[str] | None:
    """The ledger topics chapter `name` declares it reads: a set, or None for the whole ledger."""
    topics = module(name).TOPICS
    return None if topics is None else set(topics)


def charts() -> dict[str, Chart]:
    """Every chart of the book by label, in book order; a label used twice is an error, since
    links and files use it."""
    found: dict[str, Chart] = {}
    for name in names():
        for chart in getattr(module(name), "FIGURES", ()):
            if chart.label in found:
                raise ValueError(f"figure label {chart.label} is used twice")
            found[chart.label] = chart
    return found


def chart(label: str) -> Chart:
    """One chart of the book by its label, for a chapter to show with notebook.glue_chart."""
    found = charts()
    if label not in found:
        raise KeyError(f"no chart labelled {label}; each chapter module lists its charts in FIGURES")
    return found[label]
