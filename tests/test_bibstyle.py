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


def test_more_than_26_entries_of_one_outlet_and_year_get_distinct_labels():
    """A ledger a hundred times as long cites 99 synthetic sources of one 'outlet' and year; past
    2024z the labels go on 2024aa, 2024ab, as spreadsheet columns do."""
    from pybtex.database import parse_string

    bib = "".join(f"@misc{{k{n:02d},\n  author = {{{{Outlet}}}},\n  title = {{Title {n:02d}}},\n  year = {{2024}},\n"
                  f"  url = {{https://example.invalid/{n}}}\n}}\n" for n in range(30))
    entries = list(parse_string(bib, "bibtex").entries.values())
    register_plugin("pybtex.style.labels", "nkreport_outlet_year", bibstyle.OutletYearLabels)
    style = bibstyle.OutletYearStyle()
    labels = list(style.format_labels(list(style.sort(entries))))
    assert labels[0] == "Outlet, 2024a" and labels[25] == "Outlet, 2024z"
    assert labels[26:] == ["Outlet, 2024aa", "Outlet, 2024ab", "Outlet, 2024ac", "Outlet, 2024ad"]
    assert len(set(labels)) == 30
