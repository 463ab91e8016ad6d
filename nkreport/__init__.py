"""The report's code, in four parts that import one way only: build -> chapters -> report -> data.

- nkreport.data: load and validate the claims ledger.
- nkreport.report: what chapters share (chart style, words for figures, chart files, notebook glue).
- nkreport.chapters: one module per chapter, with the topics it reads and its charts.
- nkreport.build: the strict, data-aware build of the book, its PDF, figures and benchmark.
"""

__all__ = ["Ledger", "LedgerError", "load"]


def __getattr__(name: str):
    # Imported on first use, so that `python -m nkreport.build` can say "nothing changed" without
    # importing pandas (see nkreport.build.__main__).
    if name in __all__:
        from . import data

        return getattr(data, name)
    raise AttributeError(f"module 'nkreport' has no attribute {name!r}")
