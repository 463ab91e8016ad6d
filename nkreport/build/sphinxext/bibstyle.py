"""Sphinx extension: bibliography entries labelled as they are cited, 'The New York Times, 2024'."""

from pybtex.plugin import register_plugin
from pybtex.style.formatting.plain import Style as PlainStyle
from pybtex.style.labels import BaseLabelStyle


class OutletYearLabels(BaseLabelStyle):
    """Label each entry by its author (the outlet, a corporate name) and year, as the citations read."""

    def format_labels(self, sorted_entries):
        entries = list(sorted_entries)
        labels = [self._base(entry) for entry in entries]
        # Two entries of one outlet and year become 2024a, 2024b, in sorted order, so every
        # citation in the text names exactly one entry; after 2024z come 2024aa, 2024ab.
        seen: dict[str, int] = {}
        for label in labels:
            seen[label] = seen.get(label, 0) + 1
        used: dict[str, int] = {}
        for label in labels:
            if seen[label] == 1:
                yield label
            else:
                used[label] = used.get(label, 0) + 1
                yield label + _letters(used[label])

    @staticmethod
    def _base(entry) -> str:
        people = entry.persons.get("author", [])
        name = " ".join(str(p) for p in people).replace("{", "").replace("}", "")
        return f"{name}, {entry.fields.get('year', 'n.d.')}"


def _letters(number: int) -> str:
    """1 -> 'a', 26 -> 'z', 27 -> 'aa', 28 -> 'ab': as spreadsheet columns are named."""
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = "abcdefghijklmnopqrstuvwxyz"[rest] + letters
    return letters


class OutletYearStyle(PlainStyle):
    """pybtex's plain style (sorted by author, year, title) with outlet-and-year labels.

    sphinxcontrib-bibtex formats every entry again on every build, even one that changed a
    sentence of prose: a second of each rebuild. An entry's formatting is a function of its label
    and fields (and of this code and pybtex), so it is kept between builds (FORMATTED, saved
    beside the doctrees) under a digest of exactly those."""

    default_label_style = "nkreport_outlet_year"

    def format_entry(self, label, entry, bib_data=None):
        key = _entry_digest(label, entry)
        USED.add(key)
        formatted = FORMATTED.get(key)
        if formatted is None:
            formatted = FORMATTED[key] = super().format_entry(label, entry, bib_data)
        return formatted


# entry digest -> pybtex FormattedEntry, for this code and this pybtex (see _code_version)
FORMATTED: dict = {}
USED: set = set()  # the digests this build formatted: what is saved


def _code_version() -> str:
    import hashlib
    import importlib.metadata
    import inspect
    import sys

    source = inspect.getsource(sys.modules[__name__])
    return hashlib.sha256(f"{source}{importlib.metadata.version('pybtex')}".encode()).hexdigest()


def _entry_digest(label, entry) -> str:
    import hashlib

    persons = sorted((role, [str(p) for p in people]) for role, people in entry.persons.items())
    fields = sorted((name.lower(), str(value)) for name, value in entry.fields.items())
    return hashlib.sha256(repr((label, entry.key, entry.type, fields, persons)).encode()).hexdigest()


def _formatted_path(app):
    from pathlib import Path

    return Path(app.doctreedir).parent / ".bibtex-formatted.pickle"


def load_formatted(app) -> None:
    import pickle

    FORMATTED.clear()
    USED.clear()
    try:
        with open(_formatted_path(app), "rb") as f:
            version, entries = pickle.load(f)
    except (OSError, pickle.UnpicklingError, EOFError, ValueError):
        return
    if version == _code_version():
        FORMATTED.update(entries)


def save_formatted(app, exception) -> None:
    import pickle

    if exception is None and FORMATTED:
        path = _formatted_path(app)
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(path, "wb") as f:
            pickle.dump((_code_version(), {k: FORMATTED[k] for k in sorted(USED)}), f)


def _memoize_plugin_lookups() -> None:
    """pybtex looks plugins up in the installed packages' entry points on every citation, which
    took half of the book's render time; the answer never changes within a build."""
    import functools

    import pybtex.plugin
    from sphinxcontrib.bibtex import plugin as bibtex_plugin

    from ...report import patches

    if not hasattr(pybtex.plugin._load_entry_point, "cache_info"):
        patches.check("pybtex.plugin._load_entry_point", pybtex.plugin._load_entry_point)
        pybtex.plugin._load_entry_point = functools.lru_cache(maxsize=None)(pybtex.plugin._load_entry_point)
    if not hasattr(bibtex_plugin._entry_points, "cache_info"):
        patches.check("sphinxcontrib.bibtex.plugin._entry_points", bibtex_plugin._entry_points)
        bibtex_plugin._entry_points = functools.lru_cache(maxsize=None)(bibtex_plugin._entry_points)


def setup(app):
    _memoize_plugin_lookups()
    register_plugin("pybtex.style.labels", "nkreport_outlet_year", OutletYearLabels)
    register_plugin("pybtex.style.formatting", "nkreport", OutletYearStyle)
    app.connect("builder-inited", load_formatted)
    app.connect("build-finished", save_formatted)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
