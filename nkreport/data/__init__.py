"""The data layer: load the claims ledger, its claimants and sources, and refuse data that breaks the schema."""

from .ledger import Ledger, LedgerError, Problem, load

__all__ = ["Ledger", "LedgerError", "Problem", "load"]
