"""Shared code of the report: load and validate the claims ledger, word its figures, draw its charts."""

from .ledger import Ledger, LedgerError, load

__all__ = ["Ledger", "LedgerError", "load"]
