"""Execute the chapters that need it, side by side, into the notebook cache the book renders from.

jupyter-cache keys a notebook on its code only, so on its own it would publish numbers computed
from old data. Here each chapter also has a record (_build/.inputs/<chapter>.json) with digests
of the view of the ledger its module declares (TOPICS, see nkreport.chapters; inputs.view_digests)
and of the package code that runs in its kernel (inputs.chapter_code_digest, by the layout). So
the build knows which chapters are stale before it runs any: a chapter is executed again when
its code is not in the cache, when those digests changed, or when one of its chart files is
missing, and only then. While it runs, the loader records what it actually read, and a chapter
that read more than it declared fails the build. Chapters run in a process pool, one more than
the cores, each in a kernel forked from a process that preloaded the libraries
(nkreport.build.kernels), and write their own chart bundles to figures/
(report.notebook.glue_chart); the main process alone writes the cache. Sphinx then finds every
notebook in the cache and only renders."""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
import time
import traceback
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import yaml

from .. import chapters
from ..data.ledger import ALL_TOPICS, DATA_DIR_VARIABLE, RECORD_VARIABLE
from ..report.export import FIGURES_DIR_VARIABLE, FIGURES_RECORD_VARIABLE, PNG_QUEUE_VARIABLE
from . import kernels
from .inputs import chapter_code_digest, view_digests
from .sources import RECORDS, glue_keys

CACHE = Path("_build") / ".jupyter_cache"
PNG_QUEUE = Path("_build") / ".png-queue"  # charts.save_figure queues PNGs here; nkreport.build draws them
TIMEOUT = 120
# How a chapter's notebook is run (nbclient options, through jupyter-cache).
CLIENT_OPTIONS = dict(
    timeout=TIMEOUT,
    kernel_manager_class=kernels.ForkKernelManager,
    # every output has arrived when the last cell reports idle
    shutdown_kernel="immediate",
    # nbclient waits 4 s for a cell's outputs after its reply, then drops the rest with a logged
    # warning: a cell gluing thousands of claims (a ledger ten times as long) lost outputs that way.
    # Wait as long as a cell may run, and fail rather than publish a page without them.
    iopub_timeout=TIMEOUT, raise_on_iopub_timeout=True,
)


@dataclass
class Outcome:
    chapter: str
    seconds: float
    error: str | None = None
    notebook: dict | None = None  # the executed notebook, cached by the main process
    record: dict | None = None


def notebook_chapters(root: Path) -> list[str]:
    """The chapters in _toc.yml that are notebooks (have a kernelspec), as 'chapters/troops.md'."""
    toc = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))
    files = [toc["root"]] + [entry["file"] for entry in toc.get("chapters", [])]
    return [f + ".md" for f in files if "kernelspec:" in (root / (f + ".md")).read_text(encoding="utf-8")[:600]]


def read_notebook(path: Path):
    """The notebook as myst-nb reads it for the book, so the cache keys match."""
    from myst_nb.core.read import read_myst_markdown_notebook
    from myst_parser.config.main import MdParserConfig

    config = yaml.safe_load((path.parents[1] / "_config.yml").read_text(encoding="utf-8"))
    extensions = set(config.get("parse", {}).get("myst_enable_extensions", []))
    return read_myst_markdown_notebook(path.read_text(encoding="utf-8"), MdParserConfig(enable_extensions=extensions),
                                       add_source_map=True, path=path)


def record_path(root: Path, chapter: str) -> Path:
    return root / RECORDS / (Path(chapter).stem + ".json")


def charts_of(chapter: str) -> list:
    return [c for c in chapters.charts().values() if c.chapter == chapter]


def declared_view(chapter: str, read=None) -> set[str] | None | bool:
    """The ledger topics a chapter declares it reads (its module's TOPICS): a set, None for the
    whole ledger, False for no data at all. A page with no module of its own (a short page, a
    test's) is taken at what it `read`, as the loader recorded it."""
    name = Path(chapter).stem
    if name not in chapters.names():
        return read
    topics = chapters.declared_topics(name)
    return False if topics == set() else topics


def why_stale(root: Path, cache, chapter: str) -> str | None:
    """Why a chapter must run again, or None if its cached outputs are current."""
    try:
        cache.match_cache_notebook(read_notebook(root / chapter))
    except KeyError:
        return "its code is not in the cache"
    path = record_path(root, chapter)
    if not path.exists():
        return "no record of its inputs"
    record = json.loads(path.read_text(encoding="utf-8"))
    if record.get("package") != chapter_code_digest():
        return "the chapters' code changed (nkreport/data, report or chapters)"
    unglued = glue_keys((root / chapter).read_text(encoding="utf-8")) - set(record.get("glue_keys", ()))
    if unglued:
        # a chapter glues only the claims its page names (report.notebook.GLUE_KEYS_VARIABLE)
        return f"its prose refers to {', '.join(sorted(unglued)[:3])}{', ...' if len(unglued) > 3 else ''}, not glued when it last ran"
    topics = declared_view(chapter, _from_record(record.get("read", record["topics"])))
    if record["topics"] != _as_record(topics):
        return "the topics it declares changed"
    if topics is not False:
        current = view_digests(root / "data", topics)
        for name, digest in record["inputs"].items():
            if current.get(name) != digest:
                return f"{name} changed" + (f" (topics {', '.join(sorted(topics))})" if topics else "")
    for entry in record.get("figures", []):
        if not all((root / "figures" / f).exists() for f in entry["files"]):
            return f"the files of {entry['label']} are missing"
    return None


def execute_chapter(root: Path, chapter: str) -> Outcome:
    """Run one chapter (in a worker process), cache its outputs, record its inputs, write its charts."""
    from jupyter_cache.executors.utils import single_nb_execution

    from ..report.notebook import GLUE_KEYS_VARIABLE

    start = time.perf_counter()
    path = root / chapter
    trace = root / RECORDS / (path.stem + ".reads")
    written = root / RECORDS / (path.stem + ".charts")
    wanted = root / RECORDS / (path.stem + ".glue")
    for old in (trace, written):
        old.unlink(missing_ok=True)
    # The chapter glues only the claims its page refers to (report.notebook.GLUE_KEYS_VARIABLE).
    keys = sorted(glue_keys(path.read_text(encoding="utf-8")))
    wanted.write_text("".join(f"{key}\n" for key in keys), encoding="utf-8")
    os.environ[GLUE_KEYS_VARIABLE] = str(wanted)
    os.environ[RECORD_VARIABLE] = str(trace)
    os.environ[DATA_DIR_VARIABLE] = str(root / "data")
    # the chapter writes its charts' files itself, from the figures it shows (notebook.glue_chart)
    os.environ[FIGURES_DIR_VARIABLE] = str(root / "figures")
    os.environ[FIGURES_RECORD_VARIABLE] = str(written)
    os.environ[PNG_QUEUE_VARIABLE] = str(root / PNG_QUEUE)
    notebook = read_notebook(path)
    result = single_nb_execution(notebook, cwd=str(path.parent), allow_errors=False, meta_override=True,
                                 **CLIENT_OPTIONS)
    if result.err is not None:
        return Outcome(chapter, time.perf_counter() - start, result.exc_string or repr(result.err))
    topics = recorded_topics(root, trace)
    lines = [json.loads(line) for line in written.read_text(encoding="utf-8").splitlines()] if written.exists() else []
    entries = [line["figure"] for line in lines]
    characters: dict[str, set[str]] = {}
    for line in lines:
        for weight, chars in line["characters"].items():
            characters.setdefault(weight, set()).update(chars)
    for name in (RECORD_VARIABLE, FIGURES_DIR_VARIABLE, FIGURES_RECORD_VARIABLE, PNG_QUEUE_VARIABLE,
                 GLUE_KEYS_VARIABLE):
        os.environ.pop(name)
    for done in (trace, written, wanted):
        done.unlink(missing_ok=True)
    # A chapter shows every chart it registers, and showing one writes its files.
    missing = [c.label for c in charts_of(chapter) if c.label not in {e["label"] for e in entries}]
    if missing:
        return Outcome(chapter, time.perf_counter() - start,
                       f"{chapter} registers {', '.join(missing)} but does not show it with glue_chart")
    declared = declared_view(chapter, topics)
    undeclared = _undeclared(topics, declared)
    if undeclared:
        return Outcome(chapter, time.perf_counter() - start,
                       f"{chapter} read {undeclared} of the ledger but its module declares TOPICS = "
                       f"{_as_record(declared)}; declare every topic it reads, so the build knows when it is stale")
    order = [c.label for c in charts_of(chapter)]
    figures = sorted(entries, key=lambda e: order.index(e["label"]) if e["label"] in order else len(order))
    record = {
        "chapter": chapter,
        "package": chapter_code_digest(),
        # the ledger's topics the chapter declares: a list, null for all, false for no data at all
        "topics": _as_record(declared),
        # and those it actually loaded, which may be fewer, never more
        "read": _as_record(topics),
        "inputs": {} if declared is False else view_digests(root / "data", declared),
        # the glue keys its page referred to: the claims it glued (report.notebook.GLUE_KEYS_VARIABLE)
        "glue_keys": keys,
        "figures": figures,
        # what its charts' text needs of the chart font (nkreport.build.fonts)
        "characters": {w: "".join(sorted(c)) for w, c in sorted(characters.items())},
        "execution_seconds": result.time,
    }
    return Outcome(chapter, time.perf_counter() - start, notebook=notebook, record=record)


def store(root: Path, cache, outcome: Outcome) -> None:
    """Cache an executed notebook, then record its inputs: one process writes, as jupyter-cache's
    database is not safe to write from several processes at once."""
    from jupyter_cache.base import CacheBundleIn

    record = outcome.record
    cache.cache_notebook_bundle(CacheBundleIn(outcome.notebook, str(root / outcome.chapter),
                                              data={"execution_seconds": record.pop("execution_seconds")}),
                                check_validity=False, overwrite=True)
    record_path(root, outcome.chapter).write_text(json.dumps(record, indent=1) + "\n", encoding="utf-8")


def recorded_topics(root: Path, trace: Path) -> set[str] | None | bool:
    """The union of the ledger views a chapter loaded from the book's data: a set of topics,
    None for the whole ledger, False if it loaded none. Loads of another data folder do not
    count."""
    data = str((root / "data").resolve())
    views = [line.split("\t") for line in trace.read_text(encoding="utf-8").splitlines()] if trace.exists() else []
    topics = [t for d, t in views if d == data]
    if not topics:
        return False
    if ALL_TOPICS in topics:
        return None
    return {name for t in topics for name in t.split(",")}


def _as_record(topics):
    return sorted(topics) if topics else (None if topics is None else False)


def _from_record(value):
    return set(value) if isinstance(value, list) else value


def _undeclared(read, declared) -> str | None:
    """What a chapter read beyond what it declared, in words, or None."""
    if read is False or declared is None:
        return None
    if read is None:
        return "the whole ledger"
    extra = set(read) - (declared or set())
    return "the topics " + ", ".join(sorted(extra)) if extra else None


def _worker(args: tuple[str, str]) -> Outcome:
    root, chapter = args
    try:
        return execute_chapter(Path(root), chapter)
    except Exception:  # the worker reports, the build fails with the chapter's name and error
        return Outcome(chapter, 0.0, traceback.format_exc())


def execute_stale(root: Path, jobs: int | None = None, log=print) -> tuple[list[str], list[Outcome]]:
    """Execute every stale chapter in parallel; return (the chapters run, the failures)."""
    from jupyter_cache import get_cache

    (root / RECORDS).mkdir(parents=True, exist_ok=True)
    cache = get_cache(str(root / CACHE))
    stale = {}
    for chapter in notebook_chapters(root):
        reason = why_stale(root, cache, chapter)
        if reason:
            stale[chapter] = reason
    if not stale:
        return [], []
    shutil.rmtree(root / PNG_QUEUE, ignore_errors=True)  # what a failed build left
    # One more chapter than cores: a kernel spends part of its life waiting on messages.
    jobs = jobs or (os.cpu_count() or 1) + 1
    for chapter, reason in stale.items():
        log(f"execute {chapter}: {reason}")
    failures = []
    with kernels.zygote(), ProcessPoolExecutor(max_workers=min(jobs, len(stale))) as pool:
        for outcome in pool.map(_worker, [(str(root), c) for c in stale]):
            if outcome.error:
                failures.append(outcome)
                log(f"FAILED {outcome.chapter}:\n{outcome.error}")
            else:
                store(root, cache, outcome)
                log(f"executed {outcome.chapter} in {outcome.seconds:.1f} s")
    return list(stale), failures


def write_manifest(root: Path) -> Path:
    """figures/manifest.json from the chapters' records, in the order of the chart registry."""
    entries = {}
    for path in sorted((root / RECORDS).glob("*.json")):
        for entry in json.loads(path.read_text(encoding="utf-8")).get("figures", []):
            entries[entry["label"]] = entry
    manifest = [entries[label] for label in chapters.charts() if label in entries]
    out = root / "figures" / "manifest.json"
    out.write_text(json.dumps({"figures": manifest}, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return out


if __name__ == "__main__":
    ran, failed = execute_stale(Path.cwd())
    sys.exit(1 if failed else 0)
