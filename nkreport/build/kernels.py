"""Warm kernels: start each chapter's IPython kernel by forking a process that has already
imported what every kernel imports (ipykernel, IPython, numpy, pandas, matplotlib).

Starting a kernel and importing pandas and matplotlib costs about a second of CPU, the
benchmark's "kernel floor", and a build pays it once per chapter. Here one process, the
zygote, pays it once per build; each chapter's kernel is a fork of it that then runs exactly
what `python -m ipykernel_launcher -f <connection file>` runs, in the chapter's folder and with
the environment jupyter_client gives it. The kernel still speaks the Jupyter protocol to
nbclient, so the chapter is executed as it would be by any Jupyter kernel.

Only preloaded modules are shared, never state: each kernel is a fresh fork of the zygote,
which never runs chapter code. Random generators are reseeded in each kernel, as a new
process would be. It is on by default on Linux; NKREPORT_KERNEL_FORK=0 turns it off (plain
kernels), and a kernel spec that is not ipykernel's launches as usual.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import contextmanager

from jupyter_client.manager import AsyncKernelManager
from jupyter_client.provisioning import LocalProvisioner
from traitlets import default

SOCKET_VARIABLE = "NKREPORT_KERNEL_ZYGOTE"
SWITCH_VARIABLE = "NKREPORT_KERNEL_FORK"
INLINE_BACKEND = "module://matplotlib_inline.backend_inline"
# What every chapter's kernel imports anyway: no module here runs code of ours, touches the
# data, or starts a thread, an event loop or a zmq context at import.
PRELOAD = ("ipykernel.kernelapp", "ipykernel.ipkernel", "IPython", "numpy", "pandas", "matplotlib",
           "matplotlib.figure", "matplotlib.backends.backend_agg", "matplotlib.backends.backend_svg",
           "myst_nb")
LAUNCHER = ["-m", "ipykernel_launcher"]


def enabled() -> bool:
    """On by default on Linux only: elsewhere a fork after numpy loads its maths libraries is not
    known to be safe (macOS's Accelerate is not fork-safe). NKREPORT_KERNEL_FORK=1 or 0 decides."""
    default = "1" if sys.platform.startswith("linux") else "0"
    return os.environ.get(SWITCH_VARIABLE, default) != "0" and hasattr(os, "fork")


# --- the zygote process --------------------------------------------------------------------

def _child(request: dict) -> None:
    """In the forked process: become `python -m ipykernel_launcher <args>` in the chapter's folder."""
    os.setsid()  # its own process group, so jupyter_client's signals reach it and not the zygote
    signal.signal(signal.SIGCHLD, signal.SIG_DFL)
    null = os.open(os.devnull, os.O_RDONLY)
    os.dup2(null, 0)
    os.chdir(request["cwd"])
    os.environ.clear()
    os.environ.update(request["env"])
    sys.path[0] = os.getcwd()  # as `python -m` sets it
    sys.argv = ["ipykernel_launcher", *request["args"]]
    if request["env"].get("JPY_PARENT_PID"):
        # ipykernel reads this variable when it is imported, which was in the zygote
        sys.argv.append(f"--IPKernelApp.parent_handle={request['env']['JPY_PARENT_PID']}")
    import random

    import numpy

    random.seed()
    numpy.random.seed()
    import zmq
    from ipykernel import kernelapp

    # A cell may send thousands of outputs at once (a chapter gluing every claim of a ledger ten times
    # as long); past its high-water mark, a thousand messages, the kernel's XPUB socket drops the
    # rest silently and the page loses glued values. No limit: the queue waits for the reader.
    init_iopub = kernelapp.IPKernelApp.init_iopub

    def unbounded_iopub(self, context):
        context.setsockopt(zmq.SNDHWM, 0)
        init_iopub(self, context)

    kernelapp.IPKernelApp.init_iopub = unbounded_iopub
    kernelapp.launch_new_instance()


def serve(path: str) -> None:
    """Preload, then fork a kernel for every request on the unix socket at `path`."""
    import importlib

    os.environ.setdefault("MPLBACKEND", INLINE_BACKEND)  # what ipykernel sets before matplotlib loads
    for name in PRELOAD:
        importlib.import_module(name)
    signal.signal(signal.SIGCHLD, signal.SIG_IGN)  # kernels are reaped automatically
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    server.bind(path)
    server.listen(16)
    while True:
        conn, _ = server.accept()
        with conn, conn.makefile("rwb") as stream:
            request = json.loads(stream.readline())
            pid = os.fork()
            if pid == 0:
                server.close()
                conn.close()
                status = 0
                try:
                    _child(request)
                except BaseException as err:  # say why, as a kernel process would, then go
                    status = err.code if isinstance(err, SystemExit) and isinstance(err.code, int) else 1
                    if status:
                        import traceback

                        traceback.print_exc()
                finally:
                    sys.stderr.flush()
                    os._exit(status)
            stream.write(json.dumps({"pid": pid}).encode() + b"\n")
            stream.flush()


@contextmanager
def zygote():
    """Run a zygote for the duration of the block; kernels started inside it are forked from it."""
    if not enabled() or os.environ.get(SOCKET_VARIABLE):  # off, or one is running already
        yield os.environ.get(SOCKET_VARIABLE)
        return
    from .warm import zygote_process

    with zygote_process(__name__, SOCKET_VARIABLE, "nkreport-kernels-") as path:
        yield path


# --- the client side: jupyter_client's view of a forked kernel --------------------------------

class ForkedKernel:
    """The subset of subprocess.Popen that LocalProvisioner uses, for a kernel the zygote forked
    (not our child: it is reaped by the zygote, so its exit status is not known here)."""

    stdin = stdout = stderr = None

    def __init__(self, pid: int):
        self.pid = pid

    def poll(self) -> int | None:
        try:
            os.kill(self.pid, 0)
        except ProcessLookupError:
            return 0
        return None

    def wait(self, timeout: float | None = None) -> int:
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout)
            time.sleep(0.02)
        return 0

    def send_signal(self, signum: int) -> None:
        os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


def _wait_ready(path: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not os.path.exists(path):
        if time.monotonic() > deadline:
            raise RuntimeError("the kernel zygote did not start")
        time.sleep(0.01)


class ForkProvisioner(LocalProvisioner):
    """Launch an ipykernel kernel by asking the zygote to fork one; anything else as usual."""

    async def launch_kernel(self, cmd: list[str], **kwargs):
        path = os.environ.get(SOCKET_VARIABLE)
        if not path or cmd[1:3] != LAUNCHER:
            return await super().launch_kernel(cmd, **kwargs)
        _wait_ready(path)
        env = dict(kwargs.get("env") or os.environ)
        env["JPY_PARENT_PID"] = str(os.getpid())  # as jupyter_client's launcher sets it
        request = {"args": cmd[3:], "env": env, "cwd": str(kwargs.get("cwd") or os.getcwd())}
        for _ in range(200):  # the socket file exists a moment before the zygote listens
            try:
                with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as conn:
                    conn.connect(path)
                    with conn.makefile("rwb") as stream:
                        stream.write(json.dumps(request).encode() + b"\n")
                        stream.flush()
                        pid = json.loads(stream.readline())["pid"]
                break
            except (ConnectionRefusedError, FileNotFoundError):
                time.sleep(0.05)
        else:
            raise RuntimeError("the kernel zygote does not answer")
        self.process = ForkedKernel(pid)
        self.pid = self.pgid = pid
        self.cwd = request["cwd"]
        return self.connection_info


class ForkKernelManager(AsyncKernelManager):
    """nbclient's kernel manager for the build: kernels forked from the zygote when one is
    running, talking over unix sockets named for the kernel. Over TCP, chapters starting side by
    side in several processes could pick the same free port, and a kernel that cannot bind it
    dies before it answers."""

    @default("transport")
    def _default_transport(self):
        return "ipc"

    async def _async_pre_start_kernel(self, **kw):
        self.kernel_id = self.kernel_id or kw.pop("kernel_id", str(uuid.uuid4()))
        if self.transport == "ipc":
            self.ip = os.path.join(tempfile.gettempdir(), f"nkreport-kernel-{self.kernel_id}")
        if self.provisioner is None and os.environ.get(SOCKET_VARIABLE):
            self.provisioner = ForkProvisioner(kernel_id=self.kernel_id, kernel_spec=self.kernel_spec, parent=self)
        return await super()._async_pre_start_kernel(**kw)
