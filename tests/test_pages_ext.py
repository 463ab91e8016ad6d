"""The pages extension's data, as a prose-only build reads it back (nkreport/build/sphinxext/pages.py)."""

from nkreport.build.sphinxext.pages import long_date, newest_claim


def test_the_newest_claim_is_the_latest_date_and_the_first_such_claim_in_ledger_order():
    dates = [["a", "2024-10-15", "Oct 2024"], ["b", "2025-01-02", "2 Jan 2025"],
             ["c", "2025-01-02", "Jan 2025 (second)"], ["d", "2026-01-01", "1 Jan 2026"]]
    assert newest_claim(dates, {"a", "b", "c"}) == "2 Jan 2025"
    assert newest_claim(dates, {"a"}) == "Oct 2024"
    assert newest_claim(dates, {"zzz"}) is None
    assert newest_claim(dates, set()) is None


def test_long_dates_read_the_same_from_a_date_a_timestamp_or_text():
    import datetime as dt

    import pandas as pd

    assert long_date("2026-11-30") == long_date(dt.date(2026, 11, 30)) == long_date(pd.Timestamp("2026-11-30")) \
        == "30 November 2026"
