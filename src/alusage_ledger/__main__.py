"""``python -m alusage_ledger``."""

from alusage_ledger.cli import main

main()
