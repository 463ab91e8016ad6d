"""A warm renderer for the live preview: each render is a fork of a process that has already
imported Jupyter Book, Sphinx, myst-nb, the theme and the other extensions.

A render is `jupyter-book build` in a new process, and a second and a half of a prose edit's
rebuild goes on importing that stack. `make serve` rebuilds many times, so it starts one process,
the zygote, that imports the stack once; each render is then a fork of it that runs exactly what
the `jupyter-book` command runs, with the caller's arguments, folder and environment; what it
prints is handed back to the caller (the preview shows it on its page for a failed build). The zygote never builds anything itself, so every render starts from
the same state a fresh process would have (Sphinx, its environment pickle and its config are all
created in the fork): the output is byte-identical to that of the command (a test checks).

The zygote imports only libraries, never the report's own package: a render imports nkreport as
it is on disk, so an edit of the package is seen by the next render. After each render it also
imports what that render imported (whatever the book's config pulled in), so the next one starts
warmer. It is used while `NKREPORT_RENDER_ZYGOTE` names its socket (set by `renderer()`), and
only on Linux; anywhere else, or if it does not answer, the render runs as a plain command.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from contextlib import contextmanager
from pathlib import Path

SOCKET_VARIABLE = "NKREPORT_RENDER_ZYGOTE"
# What every render imports, whatever the config: imported before the first request.
PRELOAD = ("jupyter_book.cli.main", "jupyter_book.sphinx", "sphinx.application", "sphinx.builders.html",
           "myst_nb.sphinx_ext", "myst_nb.sphinx_", "myst_parser.sphinx_ext.main", "pydata_sphinx_theme",
           "sphinx_book_theme", "sphinxcontrib.bibtex", "pybtex.plugin", "sphinx_design")
# Never preloaded: the report's own code (read from disk by every render) and the entry points.
OWN = ("nkreport", "__main__", "__mp_main__")
renders = 0  # renders this process had forked (tests check the route was taken)


def _preload(names) -> None:
    import importlib

    for name in names:
        if name in sys.modules or name.startswith(OWN):
            continue
        try:
            importlib.import_module(name)
        except Exception:  # e.g. a module that imports only when its package has set things up;
            pass  # the render then imports it itself, as a fresh process would


def _render(request: dict, conn: socket.socket, fds: list[int], report: int) -> None:
    """In the fork: become `jupyter-book <args>` and exit with its status."""
    os.setsid()
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    os.dup2(os.open(os.devnull, os.O_RDONLY), 0)
    os.dup2(fds[0], 1)
    os.dup2(fds[1], 2)
    conn.close()
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    script = request["argv"][0]
    sys.argv = list(request["argv"])
    sys.path[0] = os.path.dirname(script)  # as running the script sets it
    status = 0
    try:
        from jupyter_book.cli.main import main

        main()
    except SystemExit as exit_:
        status = exit_.code if isinstance(exit_.code, int) else (0 if exit_.code is None else 1)
    except BaseException:
        import traceback

        traceback.print_exc()
        status = 1
    finally:
        sys.stdout.flush()
        sys.stderr.flush()
        try:
            os.write(report, json.dumps(sorted(sys.modules)).encode())
        finally:
            os._exit(status)


def serve(path: str) -> None:
    """Preload, then fork a render for each request on the unix socket at `path`, one at a time."""
    if sys.platform.startswith("linux"):
        import ctypes

        # Go when the process that started us goes (PR_SET_PDEATHSIG), even if it was killed.
        ctypes.CDLL(None).prctl(1, signal.SIGTERM)
    _preload(PRELOAD)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path + ".tmp")
    server.listen(4)
    os.rename(path + ".tmp", path)  # the socket appears when it listens
    while True:
        conn, _ = server.accept()
        with conn:
            message, fds, _, _ = socket.recv_fds(conn, 1 << 20, 2)
            request = json.loads(message)
            if threading.active_count() > 1 or len(fds) != 2:  # never fork a process with threads
                conn.sendall(b'{"status": null}\n')
                continue
            read_end, write_end = os.pipe()
            pid = os.fork()
            if pid == 0:
                server.close()
                os.close(read_end)
                _render(request, conn, fds, write_end)
            os.close(write_end)
            for fd in fds:
                os.close(fd)
            with os.fdopen(read_end, "rb") as pipe:
                imported = pipe.read()
            _, wait_status = os.waitpid(pid, 0)
            conn.sendall(json.dumps({"status": os.waitstatus_to_exitcode(wait_status)}).encode() + b"\n")
        try:
            _preload(json.loads(imported or b"[]"))
        except ValueError:
            pass


@contextmanager
def zygote_process(module: str, variable: str, prefix: str):
    """Run `module`.serve(<socket path>) in a new process for the duration of the block, with
    `variable` naming its socket; yields the path. The kernels' zygote (nkreport.build.kernels)
    runs this way too."""
    folder = tempfile.mkdtemp(prefix=prefix)
    path = os.path.join(folder, "zygote.sock")
    process = subprocess.Popen([sys.executable, "-c", f"from {module} import serve; serve({path!r})"],
                               stdin=subprocess.DEVNULL)
    os.environ[variable] = path
    try:
        yield path
    finally:
        os.environ.pop(variable, None)
        process.kill()
        process.wait()
        for name in (path, path + ".tmp"):
            Path(name).unlink(missing_ok=True)
        os.rmdir(folder)


@contextmanager
def renderer():
    """Run a zygote for the duration of the block; renders inside it are forked from it."""
    if not sys.platform.startswith("linux") or os.environ.get(SOCKET_VARIABLE):
        yield os.environ.get(SOCKET_VARIABLE)
        return
    with zygote_process(__name__, SOCKET_VARIABLE, "nkreport-render-") as path:
        yield path


def run(argv: list[str], cwd: Path, env: dict[str, str], timeout: float = 60) -> int | None:
    """Run `argv` (the jupyter-book command) in a fork of the zygote; its exit status, or None if
    there is no zygote or it cannot take the render (the caller then runs the command itself).
    What the render prints is written to this process's sys.stdout once it ends, so a caller that
    captures its output (the preview's page for a failed build) has the render's messages too."""
    path = env.get(SOCKET_VARIABLE) or os.environ.get(SOCKET_VARIABLE)
    if not path:
        return None
    deadline = time.monotonic() + timeout
    while not os.path.exists(path):  # still importing
        if time.monotonic() > deadline:
            return None
        time.sleep(0.02)
    request = json.dumps({"argv": argv, "cwd": str(cwd), "env": env}).encode()
    with tempfile.TemporaryFile() as log:
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
                conn.connect(path)
                socket.send_fds(conn, [request], [log.fileno(), log.fileno()])
                with conn.makefile("rb") as stream:
                    answer = json.loads(stream.readline() or b'{"status": null}')
        except (OSError, ValueError):
            return None
        if answer["status"] is None:
            return None
        log.seek(0)
        sys.stdout.write(log.read().decode("utf-8", errors="replace"))
        sys.stdout.flush()
    global renders
    renders += 1
    return answer["status"]
