"""Build the book strictly and honestly (python -m nkreport.build; `make book` calls it).

1. Validate the data, and stop with the curator's error list if anything is wrong.
2. Empty the notebook cache if data/ or the package changed: jupyter-cache hashes code cells
   only, and would otherwise publish numbers computed from the old data.
3. Write every chart to figures/ from the data (cached notebooks do not rerun their code).
4. Render into a fresh _build/html with warnings as errors, so an earlier failure can never
   hide behind an incremental build that skips the broken page.
5. Refuse a result that shows a traceback.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import subprocess
import sys
from pathlib import Path

from . import figures
from .ledger import DATA_DIR_VARIABLE, LedgerError, load

ROOT = Path(__file__).resolve().parent.parent
# Everything a notebook's output depends on besides its own code.
INPUTS = ("data", "nkreport")


def inputs_digest(root: Path = ROOT) -> str:
    digest = hashlib.sha256()
    for folder in INPUTS:
        for path in sorted((root / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digest.update(str(path.relative_to(root)).encode())
                digest.update(path.read_bytes())
    return digest.hexdigest()


def refresh_cache(root: Path = ROOT) -> bool:
    """Drop the notebook cache when its inputs changed; True if it was dropped."""
    cache = root / "_build" / ".jupyter_cache"
    stamp = root / "_build" / ".jupyter_cache.inputs"
    digest = inputs_digest(root)
    if stamp.exists() and stamp.read_text() == digest and cache.exists():
        return False
    shutil.rmtree(cache, ignore_errors=True)
    stamp.parent.mkdir(parents=True, exist_ok=True)
    stamp.write_text(digest)
    return True


def published_tracebacks(html_dir: Path) -> list[Path]:
    return [p for p in html_dir.rglob("*.html")
            if "Traceback (most recent call last)" in p.read_text(encoding="utf-8", errors="replace")]


def build(root: Path = ROOT, builder: str = "html") -> int:
    """Build the book with a Sphinx builder into _build/<builder>; 0 on success."""
    try:
        ledger = load(root / "data")
    except LedgerError as err:
        print(err, file=sys.stderr)
        return 1
    if refresh_cache(root):
        print("Data or package changed: every chapter will be executed again.")
    for path in figures.write_all(ledger, root / "figures"):
        print(f"wrote {path.relative_to(root) if path.is_relative_to(root) else path}")
    out = root / "_build" / builder
    for stale in (out, root / "_build" / ".doctrees"):
        shutil.rmtree(stale, ignore_errors=True)
    jb = Path(sys.executable).parent / "jupyter-book"
    env = {**os.environ, DATA_DIR_VARIABLE: str(root / "data")}
    command = [str(jb), "build", str(root), "--builder", builder, "-W", "-n", "--keep-going"]
    result = subprocess.run(command, cwd=root, env=env)
    if result.returncode != 0:
        # Leave nothing that could be mistaken for a good build.
        shutil.rmtree(out, ignore_errors=True)
        print("The book did not build; see the messages above. Nothing was published.", file=sys.stderr)
        return result.returncode
    leaked = published_tracebacks(out)
    if leaked:
        shutil.rmtree(out, ignore_errors=True)
        print(f"A page shows a traceback: {', '.join(str(p) for p in leaked)}", file=sys.stderr)
        return 1
    print(f"Book built: {out / 'index.html'}")
    return 0


if __name__ == "__main__":
    sys.exit(build())
