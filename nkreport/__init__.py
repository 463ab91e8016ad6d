"""The report's code, in four parts that import one way only: build -> chapters -> report -> data.

- nkreport.data: load and validate the claims ledger.
- nkreport.report: what chapters share (chart style, words for figures, chart files, notebook glue).
- nkreport.chapters: one module per chapter, with the topics it reads and its charts.
- nkreport.build: the strict, data-aware build of the book, its PDF, figures and benchmark.
"""

from .data import Ledger, LedgerError, load

__all__ = ["Ledger", "LedgerError", "load"]
