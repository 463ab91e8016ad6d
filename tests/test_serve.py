"""The live preview: serves the book, rebuilds as strictly as `make book` on a save, and reloads."""

import socket
import threading
import time
import urllib.request

from nkreport.build import serve, warm


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def fetch(port: int, path: str) -> str:
    with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
        return response.read().decode("utf-8")


def wait_for_build(port: int, after: int, seconds: float = 240) -> int:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            number = int(fetch(port, "/__build__"))
        except OSError:  # the server starts once the first build is done
            number = 0
        if number > after:
            return number
        time.sleep(0.5)
    raise AssertionError("the preview did not rebuild after the edit")


def test_the_preview_rebuilds_on_save_and_shows_a_failure(book_copy):
    port, stop = free_port(), threading.Event()
    forked = warm.renders
    thread = threading.Thread(target=serve.serve, kwargs={"root": book_copy, "port": port, "stop": stop}, daemon=True)
    thread.start()
    try:
        first = wait_for_build(port, 0)
        page = fetch(port, "/chapters/methods.html")
        assert "/__build__" in page and "location.reload" in page, "no reload script in the served page"
        assert not (book_copy / "_build" / "html" / "chapters" / "methods.html").read_text(encoding="utf-8") \
            .count("/__build__"), "the built file itself must stay unchanged"

        methods = book_copy / "chapters" / "methods.md"
        text = methods.read_text(encoding="utf-8")
        methods.write_text(text.replace("# Methods and data", "# Methods and data\n\nA sentence added in the preview.", 1),
                           encoding="utf-8")
        second = wait_for_build(port, first)
        assert "A sentence added in the preview." in fetch(port, "/chapters/methods.html")
        assert warm.renders >= forked + 2, "the preview's renders did not go through its warm renderer"

        methods.write_text(text.replace("# Methods and data", "# Methods and data\n\n{cite:p}`nosuchkey1999`", 1),
                           encoding="utf-8")
        wait_for_build(port, second)
        failure = fetch(port, "/chapters/methods.html")
        assert "The book did not build" in failure
        assert "nosuchkey1999" in failure, "the preview's page does not show the render's own error"
    finally:
        stop.set()
        thread.join(timeout=10)
