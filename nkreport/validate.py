"""Command line: check the data files and say plainly what is wrong (python -m nkreport.validate)."""

import sys

from .ledger import LedgerError, load


def main() -> int:
    try:
        ledger = load()
    except LedgerError as err:
        print(err, file=sys.stderr)
        return 1
    print(f"data/claims.csv: {len(ledger.claims)} claims from {ledger.claims['claimant'].nunique()} "
          f"claimants and {len(ledger.sources)} sources; all valid.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
