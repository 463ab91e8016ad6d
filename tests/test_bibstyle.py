"""The bibliography style keeps formatted entries between builds; what it keeps is what it would format."""

import pickle
from pathlib import Path

from pybtex.database import parse_file
from pybtex.plugin import register_plugin

from nkreport.build.sphinxext import bibstyle

BIB = Path(__file__).resolve().parent.parent / "data" / "sources.bib"


def formatted_texts(entries):
    register_plugin("pybtex.style.labels", "nkreport_outlet_year", bibstyle.OutletYearLabels)
    style = bibstyle.OutletYearStyle()
    ordered = list(style.sort(entries))
    labels = list(style.format_labels(ordered))
    return [style.format_entry(label, entry).text.render_as("html") for label, entry in zip(labels, ordered)]


def test_kept_entries_render_as_freshly_formatted_ones_and_a_changed_entry_is_formatted_again(tmp_path):
    entries = list(parse_file(str(BIB)).entries.values())[:40]
    bibstyle.FORMATTED.clear()
    bibstyle.USED.clear()
    fresh = formatted_texts(entries)
    kept = pickle.loads(pickle.dumps(dict(bibstyle.FORMATTED)))
    assert len(kept) == len(entries)
    bibstyle.FORMATTED.clear()
    bibstyle.FORMATTED.update(kept)
    assert formatted_texts(entries) == fresh
    # An edited field is a different digest: formatted again, never the kept text.
    entries[0].fields["title"] = "An edited title"
    again = formatted_texts(entries)
    assert "An edited title" in " ".join(again) and len(bibstyle.FORMATTED) == len(entries) + 1
