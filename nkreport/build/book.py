"""Build the book strictly and honestly (python -m nkreport.build; `make book` calls it).

1. Validate the data, and stop with the curator's error list if anything is wrong.
2. Execute, side by side, exactly the chapters whose code, data inputs or package changed
   (nkreport.build.execute); each writes its chart bundles to figures/. A failing chapter stops the
   build with its error.
3. If nothing the book is made from changed since the last good build, stop: the HTML is current.
4. Otherwise render into a fresh _build/<builder> with warnings as errors (every notebook comes
   from the cache), so an earlier failure can never hide behind an incremental build. The PNGs
   of charts that changed are rasterised meanwhile, on the cores the render leaves.
5. Refuse a result that shows a traceback, or a chart whose PNG could not be drawn.
"""

from __future__ import annotations

import argparse
import hashlib
import os
import shutil
import subprocess
import sys
import traceback
from concurrent.futures import ProcessPoolExecutor
from contextlib import nullcontext
from pathlib import Path

from ..data.ledger import DATA_DIR_VARIABLE, LedgerError, load
from ..report.export import rasterise_queued
from . import figures, fonts, kernels, readme
from .execute import PNG_QUEUE, execute_stale, write_manifest

ROOT = Path(__file__).resolve().parents[2]
# Everything a page is made from. If none of it changed since the last good build, the
# HTML is current and the build stops early.
SOURCES = ("_config.yml", "_toc.yml", "CITATION.cff", "_static", "chapters", "data", "figures", "nkreport")


def sources_digest(root: Path = ROOT) -> str:
    digest = hashlib.sha256()
    for name in SOURCES:
        path = root / name
        files = sorted(path.rglob("*")) if path.is_dir() else [path]
        for file in files:
            # A chart's PNG is made from its SVG (see report.export.png_key), which is counted.
            if file.is_file() and "__pycache__" not in file.parts and file.suffix != ".png":
                digest.update(str(file.relative_to(root)).encode())
                digest.update(file.read_bytes())
    return digest.hexdigest()


def published_tracebacks(html_dir: Path) -> list[Path]:
    return [p for p in html_dir.rglob("*.html")
            if "Traceback (most recent call last)" in p.read_text(encoding="utf-8", errors="replace")]


def build(root: Path = ROOT, builder: str = "html", jobs: int | None = None) -> int:
    """Build the book with a Sphinx builder into _build/<builder>; 0 on success."""
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
        shutil.rmtree(out, ignore_errors=True)
        (root / "_build" / f".{builder}.sources").unlink(missing_ok=True)
        return status
    if drawn and (out / "figures").is_dir():
        for job in drawn:
            shutil.copy2(job.result(), out / "figures")
    return 0


def _headless() -> None:
    import matplotlib

    matplotlib.use("agg")


def render(root: Path, builder: str) -> int:
    """Render the book from the notebook cache into a fresh _build/<builder>, unless nothing it is
    made from changed since the last good build; 0 on success."""
    out = root / "_build" / builder
    stamp = root / "_build" / f".{builder}.sources"
    digest = sources_digest(root)
    if out.is_dir() and stamp.exists() and stamp.read_text() == digest:
        print(f"Nothing changed since the last good build: {out / 'index.html'} is current.")
        return 0
    stamp.unlink(missing_ok=True)
    for stale in (out, root / "_build" / ".doctrees"):
        shutil.rmtree(stale, ignore_errors=True)
    jb = Path(sys.executable).parent / "jupyter-book"
    env = {**os.environ, DATA_DIR_VARIABLE: str(root / "data")}
    command = [str(jb), "build", str(root), "--builder", builder, "-W", "-n", "--keep-going"]
    result = subprocess.run(command, cwd=root, env=env)
    if result.returncode != 0:
        # Leave nothing that could be mistaken for a good build.
        print("The book did not build; see the messages above. Nothing was published.", file=sys.stderr)
        return result.returncode
    leaked = published_tracebacks(out)
    if leaked:
        print(f"A page shows a traceback: {', '.join(str(p) for p in leaked)}", file=sys.stderr)
        return 1
    stamp.write_text(digest)
    print(f"Book built: {out / 'index.html'}")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=None, help="chapters executed at once (default: one more than the cores)")
    args = parser.parse_args()
    return build(jobs=args.jobs)


if __name__ == "__main__":
    sys.exit(main())
