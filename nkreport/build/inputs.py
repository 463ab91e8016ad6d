"""What a chapter's outputs depend on, as digests: the package code that runs in its kernel, and
its view of the ledger. The build compares them with those recorded at the chapter's last run
(nkreport.build.execute) to know, before running anything, which chapters are stale."""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path

from ..data.ledger import read_sources

PACKAGE = Path(__file__).resolve().parents[1]
# The parts of the package whose code runs inside a chapter's kernel, by the layout: the data
# layer, the shared report helpers and the chapters. nkreport/build/ never runs there, so
# editing it re-executes nothing.
CHAPTER_PARTS = ("__init__.py", "data", "report", "chapters")


def chapter_code_digest(package: Path = PACKAGE) -> str:
    """The package code a chapter's outputs can depend on: every module of CHAPTER_PARTS."""
    digest = hashlib.sha256()
    for part in CHAPTER_PARTS:
        path = package / part
        for file in sorted(path.rglob("*.py")) if path.is_dir() else [path]:
            digest.update(str(file.relative_to(package)).encode())
            digest.update(file.read_bytes())
    return digest.hexdigest()


def _digest(obj) -> str:
    return hashlib.sha256(json.dumps(obj, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


def view_digests(data_dir: Path, topics: set[str] | None) -> dict[str, str]:
    """What a view of the ledger depends on, file by file, as digests.

    The schema and the claimants (their order sets chart markers) count whole; of the claims,
    only the rows of the view's topics; of the sources, only the entries those rows cite. An
    edit elsewhere in the files leaves the digests, and the chapters that read the view, alone.
    """
    data_dir = Path(data_dir)
    with open(data_dir / "claims.csv", encoding="utf-8-sig", newline="") as f:
        rows = [r for r in csv.DictReader(f) if topics is None or r.get("topic") in topics]
    keys = sorted({k for r in rows for k in (r.get("source") or "").split("; ") if k})
    sources = read_sources(data_dir)
    return {
        "data/datapackage.json": hashlib.sha256((data_dir / "datapackage.json").read_bytes()).hexdigest(),
        "data/claimants.csv": hashlib.sha256((data_dir / "claimants.csv").read_bytes()).hexdigest(),
        "data/corrections.csv": hashlib.sha256((data_dir / "corrections.csv").read_bytes()).hexdigest(),
        "data/judgments.csv": hashlib.sha256((data_dir / "judgments.csv").read_bytes()).hexdigest(),
        "data/claims.csv": _digest(rows),
        "data/sources.bib": _digest({k: sources.get(k) for k in keys}),
    }
