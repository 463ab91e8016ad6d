"""Guards for the two places where the report changes private code of a library.

Each patch is written for one version of one function. Before it is applied, check() compares
the library's installed version and the source of the function it replaces with those it was
written for, and fails, naming the patch, when either changed: the build then stops rather than
patch code it does not know. To move a pin, read the new function, adapt the patch if needed,
and record the new version and digest here.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import inspect

# patch name -> (distribution, version, sha256 of the patched function's source, first 16 digits)
PATCHES = {
    # nkreport/report/notebook.py: one stream flush per batch of glued claims
    "ipykernel ZMQDisplayPublisher._flush_streams": ("ipykernel", "7.4.0", "1fe0c972f3272913"),
    # nkreport/build/sphinxext/bibstyle.py: pybtex's plugin lookups memoized
    "pybtex.plugin._load_entry_point": ("pybtex", "0.26.1", "651a544d021985ba"),
    "sphinxcontrib.bibtex.plugin._entry_points": ("sphinxcontrib-bibtex", "2.7.0", "b60f9bba35f0420c"),
}


class PatchOutdated(RuntimeError):
    """A patched library changed: the patch must be reviewed before the build can go on."""


def source_digest(function) -> str:
    return hashlib.sha256(inspect.getsource(function).encode()).hexdigest()[:16]


def check(name: str, function) -> None:
    """Fail, naming the patch, unless `function` is the code the patch `name` was written for."""
    distribution, version, digest = PATCHES[name]
    installed = importlib.metadata.version(distribution)
    if installed != version:
        raise PatchOutdated(f"the patch of {name} (nkreport/report/patches.py) was written for {distribution} "
                            f"{version}, but {installed} is installed: review the patch, then update PATCHES")
    found = source_digest(function)
    if found != digest:
        raise PatchOutdated(f"the patch of {name} (nkreport/report/patches.py) was written for other code "
                            f"(source digest {found}, expected {digest}): review the patch, then update PATCHES")
