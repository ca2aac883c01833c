"""alusage-ledger: plain-text Beancount bookkeeping for a French cooperative ecosystem."""

__version__ = "0.1.0"
