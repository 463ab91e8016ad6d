"""Run one chapter alone and check what the book build would refuse, in seconds, without building
the book (python -m nkreport.build.preview troops).

It executes chapters/<name>.md in a plain kernel, writes its charts (SVG, PNG, CSV) to a folder
of its own (default _build/preview/<name>/) so they can be looked at, and checks the page's
references: every {glue} key is glued by the chapter, every {cite} key is in data/sources.bib,
and every {ref}/{numref} target exists in some chapter. The book build remains the judge: it
also renders every page with warnings as errors.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
from pathlib import Path

from ..data.ledger import DATA_DIR_VARIABLE, RECORD_VARIABLE, read_sources
from ..report.export import FIGURES_DIR_VARIABLE, FIGURES_RECORD_VARIABLE
from .book import ROOT
from .execute import read_notebook

GLUE_ROLE = re.compile(r"\{glue(?::\w+)?\}`([^`:]+)(?::[^`]*)?`")
GLUE_DIRECTIVE = re.compile(r"^```\{glue(?::\w+)?\}\s+(\S+)", re.M)
CITE_ROLE = re.compile(r"\{cite(?::\w+)?\}`([^`]+)`")
REF_ROLE = re.compile(r"\{(?:ref|numref)\}`(?:[^`<]*<)?([^`>]+)>?`")
LABEL = re.compile(r"^\(([\w-]+)\)=\s*$|^:name:\s*(\S+)|^:label:\s*(\S+)", re.M)


def labels_of_book(root: Path) -> set[str]:
    found = set()
    for page in (root / "chapters").glob("*.md"):
        text = page.read_text(encoding="utf-8")
        found |= {next(g for g in m.groups() if g) for m in LABEL.finditer(text)}
        found |= set(re.findall(r'"((?:fig|tbl)-[\w-]+)"', text))
    return found


def glued_names(notebook) -> set[str]:
    names = set()
    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("scrapbook", {}).get("name")
            if name:
                names.add(name)
    return names


def markdown_of(notebook) -> str:
    return "\n".join(cell.source for cell in notebook.cells if cell.cell_type == "markdown")


def run(name: str, out: Path) -> list[str]:
    """Execute the chapter; return the problems found (empty if none)."""
    from nbclient import NotebookClient

    path = ROOT / "chapters" / f"{name}.md"
    notebook = read_notebook(path)
    out.mkdir(parents=True, exist_ok=True)
    record = out / "charts.jsonl"
    record.unlink(missing_ok=True)
    reads = out / "reads.tsv"
    reads.unlink(missing_ok=True)
    os.environ.update({DATA_DIR_VARIABLE: str(ROOT / "data"), FIGURES_DIR_VARIABLE: str(out),
                       FIGURES_RECORD_VARIABLE: str(record), RECORD_VARIABLE: str(reads)})
    problems = []
    try:
        NotebookClient(notebook, timeout=300, resources={"metadata": {"path": str(path.parent)}}).execute()
    except Exception as err:  # the cell error, with its traceback, is the report
        return [f"a cell failed:\n{err}"]
    glued = glued_names(notebook)
    text = markdown_of(notebook)
    for key in sorted(set(GLUE_ROLE.findall(text)) | set(GLUE_DIRECTIVE.findall(text))):
        if key not in glued:
            problems.append(f"glue key '{key}' is used in the prose but not glued")
    sources = read_sources(ROOT / "data")
    for group in CITE_ROLE.findall(text):
        for key in (k.strip() for k in group.split(",")):
            if key not in sources:
                problems.append(f"citation key '{key}' is not in data/sources.bib")
    labels = labels_of_book(ROOT)
    for target in sorted(set(REF_ROLE.findall(text))):
        if target not in labels:
            problems.append(f"reference target '{target}' is not a label of any chapter")
    for line in record.read_text(encoding="utf-8").splitlines() if record.exists() else []:
        entry = json.loads(line)["figure"]
        print(f"chart {entry['label']}: {entry['title']!r}, {len(entry['claim_ids'])} claims, files in {out}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("chapter", help="the chapter's file name without .md, e.g. troops")
    parser.add_argument("--out", type=Path, default=None, help="folder for its charts (default _build/preview/<chapter>)")
    args = parser.parse_args()
    out = args.out or ROOT / "_build" / "preview" / args.chapter
    problems = run(args.chapter, out)
    for problem in problems:
        print(f"chapters/{args.chapter}.md: {problem}", file=sys.stderr)
    if not problems:
        print(f"chapters/{args.chapter}.md: executed; every glue key, citation and reference resolves.")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
