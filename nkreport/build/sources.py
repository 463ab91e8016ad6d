"""What the book is made from, as digests: light enough (no pandas, no Sphinx) that a build with
nothing to do can answer before importing anything heavy (see nkreport.build.__main__).

The last good build records one digest per file, and one of each chapter's code cells
(_build/.<builder>.sources, JSON). Comparing them says whether anything changed, and what: when
the only change is chapter prose, the build neither validates nor executes anything and renders
incrementally (nkreport.build.book).
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

# Everything a page is made from. If none of it changed since the last good build, the
# HTML is current and the build stops early.
SOURCES = ("_config.yml", "_toc.yml", "CITATION.cff", "_static", "chapters", "data", "figures", "nkreport")


def file_digests(root: Path) -> dict[str, str]:
    """sha256 of every file the book is made from, by path relative to the book."""
    digests = {}
    for name in SOURCES:
        path = root / name
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for file in files:
            # A chart's PNG is made from its SVG (see report.export.png_key), which is counted.
            if file.is_file() and "__pycache__" not in file.parts and file.suffix != ".png":
                digests[file.relative_to(root).as_posix()] = hashlib.sha256(file.read_bytes()).hexdigest()
    return digests


def sources_digest(root: Path) -> str:
    """One digest of everything the book is made from."""
    digest = hashlib.sha256()
    for path, file_digest in file_digests(root).items():
        digest.update(path.encode())
        digest.update(file_digest.encode())
    return digest.hexdigest()


# A chapter's front matter (its kernel) and its code cells, with their options: what its execution
# depends on within its own file. A change elsewhere in the file is prose.
_FRONT_MATTER = re.compile(r"\A---\n.*?\n---\n", re.S)
_CODE_CELL = re.compile(r"^```\{code-cell\}[^\n]*\n.*?^```[ \t]*$", re.S | re.M)


def code_digest(text: str) -> str:
    digest = hashlib.sha256()
    for part in _FRONT_MATTER.findall(text) + _CODE_CELL.findall(text):
        digest.update(part.encode())
        digest.update(b"\0")
    return digest.hexdigest()


def chapter_code_digests(root: Path) -> dict[str, str]:
    return {p.relative_to(root).as_posix(): code_digest(p.read_text(encoding="utf-8"))
            for p in sorted((root / "chapters").glob("*.md"))}


# Each executed chapter's record (nkreport.build.execute), which names the glue keys its page
# referred to when it ran: the only claims it glued (report.notebook.GLUE_KEYS_VARIABLE).
RECORDS = Path("_build") / ".inputs"
# A page's references to glued values: {glue:md}`key:myst` (any glue role, any format after the
# key) and ```{glue:figure} key (any glue directive, backticks or colons).
_GLUE_ROLE = re.compile(r"\{glue(?::\w+)?\}`([^`]+)`")
_GLUE_DIRECTIVE = re.compile(r"^(?:`{3,}|:{3,})\{glue(?::\w+)?\}[ \t]+(\S+)", re.M)


def glue_keys(text: str) -> set[str]:
    """The glue keys a chapter's text refers to (prose and code cells alike)."""
    keys = {ref.strip().split(":", 1)[0] for ref in _GLUE_ROLE.findall(text)}
    return keys | set(_GLUE_DIRECTIVE.findall(text))


def glued_keys(root: Path, chapter: str) -> set[str]:
    """The glue keys chapter `chapter` ('chapters/troops.md') was run for, as its record says;
    none if it has no record."""
    try:
        record = json.loads((root / RECORDS / (Path(chapter).stem + ".json")).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return set()
    return set(record.get("glue_keys", ()))


def stamp_path(root: Path, builder: str) -> Path:
    return root / "_build" / f".{builder}.sources"


def recorded(root: Path, builder: str) -> dict | None:
    """What the last good build with `builder` was made from ({"files": file digests, "code":
    chapter code digests}), or None."""
    try:
        stamp = json.loads(stamp_path(root, builder).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return stamp if isinstance(stamp, dict) and {"files", "code"} <= stamp.keys() else None


def record(root: Path, builder: str, files: dict[str, str]) -> None:
    stamp = {"files": files, "code": chapter_code_digests(root)}
    stamp_path(root, builder).write_text(json.dumps(stamp, indent=0, sort_keys=True), encoding="utf-8")


def prose_changes(root: Path, builder: str = "html") -> set[str] | None:
    """The chapter files changed since the last good build, when that is all that changed and only
    in their prose (not their code cells or front matter); None otherwise (or if nothing changed).
    Prose that now refers to a glued value its chapter did not glue (a claim the page did not name
    when the chapter last ran) is not prose alone: the chapter must run again to glue it."""
    before = recorded(root, builder)
    if before is None or not (root / "_build" / builder).is_dir():
        return None
    changed = changed_files(before["files"], file_digests(root))
    if not changed or not all(p.startswith("chapters/") and p.endswith(".md") for p in changed):
        return None
    code = chapter_code_digests(root)
    if any(code.get(p) != before["code"].get(p) for p in changed):
        return None
    for path in changed:
        page = root / path
        if page.is_file() and not glue_keys(page.read_text(encoding="utf-8")) <= glued_keys(root, path):
            return None
    return changed


def changed_files(before: dict[str, str], after: dict[str, str]) -> set[str]:
    return {p for p in before.keys() | after.keys() if before.get(p) != after.get(p)}


def is_current(root: Path, builder: str = "html") -> bool:
    """Whether the last good build's output is there and nothing it was made from changed."""
    before = recorded(root, builder)
    return (before is not None and (root / "_build" / builder / "index.html").is_file()
            and before["files"] == file_digests(root))
