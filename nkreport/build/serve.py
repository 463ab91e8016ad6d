"""A live preview (python -m nkreport.build.serve; `make serve`): serve the book on localhost,
rebuild it with `make book`'s strictness whenever a source changes, and reload the page.

The build is the same as `make book` (nkreport.build.book.build): warnings are errors, a failing
chapter fails it, and a failed build leaves no HTML, so the preview shows the errors instead of a
stale page. Its renders are forks of a warm renderer (nkreport.build.warm) that has imported
Jupyter Book and Sphinx once, which makes a prose edit's rebuild about a second and a half faster
and writes the same bytes. The built files are served unchanged; the server adds one small script to each HTML
response, which asks the server for the build's number and reloads the page when it changes.
Nothing is fetched from the network.
"""

from __future__ import annotations

import argparse
import http.server
import io
import threading
import time
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from . import warm
from .book import ROOT, SOURCES, build, sources_digest

RELOAD_SCRIPT = b"""<script>(function () {
  var seen = null;
  setInterval(function () {
    fetch("/__build__", {cache: "no-store"}).then(function (r) { return r.text(); }).then(function (n) {
      if (seen !== null && n !== seen) { location.reload(); }
      seen = n;
    }).catch(function () {});
  }, 1000);
})();</script>"""


class State:
    """The number of the last build, and its log if it failed."""

    def __init__(self):
        self.number = 0
        self.failure = ""
        self.lock = threading.Lock()


def make_handler(html: Path, state: State):
    class Handler(http.server.SimpleHTTPRequestHandler):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, directory=str(html), **kwargs)

        def log_message(self, *args):  # the terminal shows builds, not every request
            pass

        def do_GET(self):
            if self.path == "/__build__":
                return self._send(str(state.number).encode(), "text/plain")
            if state.failure:
                page = (b"<!doctype html><title>Build failed</title><h1>The book did not build</h1><pre>"
                        + state.failure.replace("&", "&amp;").replace("<", "&lt;").encode() + b"</pre>")
                return self._send(page + RELOAD_SCRIPT, "text/html")
            path = Path(self.translate_path(self.path))
            if path.is_dir():
                path = path / "index.html"
            if path.suffix == ".html" and path.is_file():
                body = path.read_bytes()
                body = body.replace(b"</body>", RELOAD_SCRIPT + b"</body>", 1)
                return self._send(body, "text/html")
            return super().do_GET()

        def _send(self, body: bytes, kind: str):
            self.send_response(200)
            self.send_header("Content-Type", f"{kind}; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Cache-Control", "no-store")
            self.end_headers()
            self.wfile.write(body)

    return Handler


def rebuild(root: Path, state: State) -> None:
    log = io.StringIO()
    with redirect_stdout(log), redirect_stderr(log):
        status = build(root)
    with state.lock:
        state.failure = "" if status == 0 else log.getvalue()[-20000:]
        state.number += 1
    print(f"[{time.strftime('%H:%M:%S')}] build {state.number}: {'ok' if status == 0 else 'FAILED'}", flush=True)


def watch(root: Path, state: State, interval: float = 1.0, stop: threading.Event | None = None) -> None:
    """Rebuild whenever what the book is made from (book.SOURCES) changes."""
    last = sources_digest(root)
    while not (stop and stop.is_set()):
        time.sleep(interval)
        current = sources_digest(root)
        if current != last:
            last = current
            rebuild(root, state)


def serve(root: Path = ROOT, port: int = 8000, stop: threading.Event | None = None) -> None:
    with warm.renderer():
        _serve(root, port, stop)


def _serve(root: Path, port: int, stop: threading.Event | None) -> None:
    state = State()
    rebuild(root, state)
    (root / "_build" / "html").mkdir(parents=True, exist_ok=True)
    server = http.server.ThreadingHTTPServer(("127.0.0.1", port), make_handler(root / "_build" / "html", state))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    print(f"Serving the book at http://127.0.0.1:{port}/ ; it rebuilds when {', '.join(SOURCES)} change. Ctrl-C stops.",
          flush=True)
    try:
        watch(root, state, stop=stop)
    except KeyboardInterrupt:
        pass
    finally:
        server.shutdown()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, default=8000)
    args = parser.parse_args()
    serve(port=args.port)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
