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
        # citation in the text names exactly one entry.
        seen: dict[str, int] = {}
        for label in labels:
            seen[label] = seen.get(label, 0) + 1
        used: dict[str, int] = {}
        for label in labels:
            if seen[label] == 1:
                yield label
            else:
                used[label] = used.get(label, 0) + 1
                yield label + "abcdefghijklmnopqrstuvwxyz"[used[label] - 1]

    @staticmethod
    def _base(entry) -> str:
        people = entry.persons.get("author", [])
        name = " ".join(str(p) for p in people).replace("{", "").replace("}", "")
        return f"{name}, {entry.fields.get('year', 'n.d.')}"


class OutletYearStyle(PlainStyle):
    """pybtex's plain style (sorted by author, year, title) with outlet-and-year labels."""

    default_label_style = "nkreport_outlet_year"


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
    return {"parallel_read_safe": True, "parallel_write_safe": True}
