"""Review: what a git change (BASE → HEAD) means in accounting terms.

Two halves. The impure one runs git and loads each side safely:

* :mod:`.git_sides`: reads the two revisions with git, writes each into a temporary
  folder, and has :mod:`.worker` load it in a child process; installs the pre-commit hook;
* :mod:`.worker`: run as ``python -I -m alusage_ledger.integrations.review.worker``, loads
  one side with the vetted loader and returns plain data (JSON). It imports only
  :mod:`alusage_ledger.books` and :mod:`alusage_ledger.core`, never the rest of this
  package.

The pure one compares the two sides' data (each module imports only the ones above it):

* :mod:`.sides`: a side's entries, directives, marks and problems as records;
* :mod:`.results`: what a review finds (per-entity changes, balance changes, findings);
* :mod:`.pairing`: pairing the entries of both sides (unchanged, added, removed, modified);
* :mod:`.document`: a review as JSON;
* :mod:`.findings`: :func:`~.findings.compare`, the review and its findings.

May import :mod:`alusage_ledger.books` and :mod:`alusage_ledger.core`; never the CLI.
Nothing is re-exported here: the worker's child process imports this package first and
should load nothing else.
"""
