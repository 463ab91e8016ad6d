"""Command line: check the data files and say plainly what is wrong (python -m nkreport.data.validate)."""

import sys

from .ledger import Ledger, LedgerError, load


def load_or_report() -> Ledger | None:
    """The validated ledger, or None after printing every problem for the curator."""
    try:
        return load()
    except LedgerError as err:
        print(err, file=sys.stderr)
        return None


def main() -> int:
    ledger = load_or_report()
    if ledger is None:
        return 1
    print(f"data/claims.csv: {len(ledger.claims)} claims from {ledger.claims['claimant'].nunique()} "
          f"claimants and {len(ledger.sources)} sources; all valid.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
