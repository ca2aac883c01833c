"""``python -m alusage_ledger``."""

from .cli import main

main()
