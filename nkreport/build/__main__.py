"""python -m nkreport.build [--root BOOK] [--jobs N]: build the book (`make book`)."""

import sys
from pathlib import Path

from .sources import is_current

args = sys.argv[1:]
root = Path(args[1]).resolve() if args[:1] == ["--root"] and len(args) == 2 else Path(__file__).resolve().parents[2]

# Nothing changed since the last good build: say so before importing pandas, Sphinx or a kernel.
if (not args or len(args) == 2 and args[0] == "--root") and is_current(root):
    print(f"Nothing changed since the last good build: {root / '_build' / 'html' / 'index.html'} is current.")
    sys.exit(0)

from .book import main  # noqa: E402

sys.exit(main())
