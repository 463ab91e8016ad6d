"""Build the book strictly and honestly (python -m nkreport.build; `make book` calls it).

1. Validate the data, and stop with the curator's error list if anything is wrong.
2. Execute, side by side, exactly the chapters whose code, data inputs or package changed
   (nkreport.build.execute); each writes its chart bundles to figures/. A failing chapter stops the
   build with its error.
3. If nothing the book is made from changed since the last good build, stop: the HTML is current.
4. Otherwise render with warnings as errors (every notebook comes from the cache): into a fresh
   _build/<builder>, or, when the only change since the last good build is chapter prose,
   incrementally (render; sphinxext/incremental.py). A failed build leaves nothing, so an earlier
   failure can never hide behind an incremental one. The PNGs of charts that changed are
   rasterised meanwhile, on the cores the render leaves.
5. Refuse a result that shows a traceback, or a chart whose PNG could not be drawn.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import traceback
from concurrent.futures import ProcessPoolExecutor
from contextlib import nullcontext
from pathlib import Path

from . import sources
from .sources import SOURCES, sources_digest  # noqa: F401  (serve and tests use them from here)

# As nkreport.data.ledger.DATA_DIR_VARIABLE (a test checks): named here so that a prose-only
# build never imports pandas.
DATA_DIR_VARIABLE = "NKREPORT_DATA_DIR"
CACHE = Path("_build") / ".jupyter_cache"  # as nkreport.build.execute.CACHE (a test checks)
PROSE_VARIABLE = "NKREPORT_PROSE_BUILD"  # as sphinxext.pages.PROSE_VARIABLE (a test checks)

ROOT = Path(__file__).resolve().parents[2]


def published_tracebacks(html_dir: Path) -> list[Path]:
    return [p for p in html_dir.rglob("*.html")
            if "Traceback (most recent call last)" in p.read_text(encoding="utf-8", errors="replace")]


def build(root: Path = ROOT, builder: str = "html", jobs: int | None = None) -> int:
    """Build the book with a Sphinx builder into _build/<builder>; 0 on success."""
    prose = sources.prose_changes(root, builder) if builder == "html" else None
    if prose and (root / "_build" / ".doctrees").is_dir() and (root / CACHE).is_dir():
        # The last good build validated this data and executed this code: only the pages change.
        print(f"Only prose changed ({', '.join(sorted(prose))}): nothing to validate or execute.")
        status = render(root, builder, prose=prose)
        if status != 0:
            _discard(root, builder)
        return status
    return _full_build(root, builder, jobs)


def _full_build(root: Path, builder: str, jobs: int | None) -> int:
    from ..data.ledger import LedgerError, load
    from ..report.export import rasterise_queued
    from . import figures, fonts, kernels, readme
    from .execute import PNG_QUEUE, execute_stale, write_manifest

    out = root / "_build" / builder
    stamp = root / "_build" / f".{builder}.sources"
    # The kernel zygote preloads its libraries while the data is checked (nkreport.build.kernels).
    with kernels.zygote():
        try:
            ledger = load(root / "data")
        except LedgerError as err:
            print(err, file=sys.stderr)
            return 1
        if readme.write(root, ledger):
            print("README.md: key figures updated from the ledger.")
        _, failures = execute_stale(root, jobs)
    if failures:
        shutil.rmtree(out, ignore_errors=True)
        stamp.unlink(missing_ok=True)
        names = ", ".join(f.chapter for f in failures)
        print(f"The book did not build: {names} failed (errors above). Nothing was published.", file=sys.stderr)
        return 1
    write_manifest(root)
    figures.prune(root / "figures")
    if fonts.write(root):
        print(f"{fonts.FONT_DIR}: chart font written for the characters the charts use.")
    # The PNGs the chapters queued are rasterised while Sphinx renders, on the cores it leaves.
    queued = sorted((root / PNG_QUEUE).glob("*.pickle"))
    workers = max(1, (os.cpu_count() or 2) - 1)
    with ProcessPoolExecutor(max_workers=workers, initializer=_headless) if queued else nullcontext() as pool:
        drawn = [pool.submit(rasterise_queued, job) for job in queued] if queued else []
        status = render(root, builder)
        try:
            for job in drawn:
                job.result()
        except Exception:
            traceback.print_exc()
            print("A chart's PNG could not be drawn (error above). Nothing was published.", file=sys.stderr)
            status = 1
            # Its chapter runs again next time, since the PNG is missing, and queues it afresh.
            shutil.rmtree(root / PNG_QUEUE, ignore_errors=True)
    out = root / "_build" / builder
    if status != 0:
        _discard(root, builder)
        return status
    if drawn and (out / "figures").is_dir():
        for job in drawn:
            shutil.copy2(job.result(), out / "figures")
    return 0


def _discard(root: Path, builder: str) -> None:
    """Leave nothing of a failed build that could be mistaken for a good one, or built upon."""
    for path in (root / "_build" / builder, root / "_build" / ".doctrees"):
        shutil.rmtree(path, ignore_errors=True)
    sources.stamp_path(root, builder).unlink(missing_ok=True)


def _headless() -> None:
    import matplotlib

    matplotlib.use("agg")


def render(root: Path, builder: str, prose: set[str] | None = None) -> int:
    """Render the book from the notebook cache into _build/<builder>, unless nothing it is made
    from changed since the last good build; 0 on success.

    With `prose` (the chapter files whose prose alone changed since the last good build, see
    sources.prose_changes), Sphinx renders incrementally from the environment it kept;
    sphinxext/incremental.py decides which other pages it must write again, so the result is the
    one a fresh render gives. Otherwise the render goes into a fresh output."""
    out = root / "_build" / builder
    before, after = sources.recorded(root, builder), sources.file_digests(root)
    if out.is_dir() and before is not None and before["files"] == after:
        print(f"Nothing changed since the last good build: {out / 'index.html'} is current.")
        return 0
    sources.stamp_path(root, builder).unlink(missing_ok=True)
    if prose:
        # Sphinx goes by modification times; the digests are what changed.
        for path in prose:
            os.utime(root / path)
    else:
        for stale in (out, root / "_build" / ".doctrees"):
            shutil.rmtree(stale, ignore_errors=True)
    jb = Path(sys.executable).parent / "jupyter-book"
    env = {**os.environ, DATA_DIR_VARIABLE: str(root / "data")}
    env.pop(PROSE_VARIABLE, None)
    if prose:
        env[PROSE_VARIABLE] = "1"  # the extensions reuse what the last good build read from the data
    command = [str(jb), "build", str(root), "--builder", builder, "-W", "-n", "--keep-going"]
    from . import warm

    sys.stdout.flush()
    sys.stderr.flush()
    returncode = warm.run(command, root, env)  # the live preview's warm renderer, if it runs
    if returncode is None:
        returncode = subprocess.run(command, cwd=root, env=env).returncode
    if returncode != 0:
        # Leave nothing that could be mistaken for a good build.
        print("The book did not build; see the messages above. Nothing was published.", file=sys.stderr)
        return returncode
    leaked = published_tracebacks(out)
    if leaked:
        print(f"A page shows a traceback: {', '.join(str(p) for p in leaked)}", file=sys.stderr)
        return 1
    sources.record(root, builder, after)
    print(f"Book built{' (incrementally)' if prose else ''}: {out / 'index.html'}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=None, help="chapters executed at once (default: one more than the cores)")
    parser.add_argument("--root", type=Path, default=ROOT, help="the book to build (default: this checkout)")
    args = parser.parse_args()
    return build(args.root.resolve(), jobs=args.jobs)


if __name__ == "__main__":
    sys.exit(main())
