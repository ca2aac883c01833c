"""``python -m alusage_ledger``."""

from .cli.app import main

main()
