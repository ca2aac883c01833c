"""The year's bookends and the members' capital.

Closing December is not closing the exercice. The year-end work (accruals, depreciation,
provisions, corporate tax) is dated the exercice's last day but done in the following
weeks; then the result is carried to the balance sheet and the balances to the next
exercice; months later the general assembly votes how the result is allocated. A
cooperative also keeps the register of its members' capital. This package owns:

- ``exercices``: which exercice (:func:`parse_exercice`; its days: ``Exercice.ending_in``), and the
  entities that keep books with exercices (``kept_books``);
- ``accounts`` and ``balances``: the accounts the year books on (a role's account, the
  accounts of a PCG number, the result accounts), balances read from the books, and the
  postings and transactions the year writes;
- ``trialbalance`` and ``opening``: ``year open``, a trial balance booked as the opening
  entry (:func:`open_books`);
- ``inventory``: ``year inventory``, the year-end entries dated the exercice's last day
  (:func:`book_inventory`);
- ``carry``: the open items of third-party accounts, one à-nouveaux line each;
- ``reversal``: ``reverse`` (contre-passation, :func:`reverse_entry`) and the automatic
  reversal of the year-end accruals (``#extourne``; a month-end step and ``year close``);
- ``closing``: ``year close``, the closing entries, the result, the exercice lock and the
  à-nouveaux (:func:`close_exercice`);
- ``allocation``: ``year allocate``, the general assembly's vote and the law's minimums
  (:func:`allocate`, :func:`propose`, :class:`Allocation`, :class:`Minimums`);
- ``register``, ``capital_movements``, ``register_report``: the members' capital, its
  register read from the ledger (:func:`register_of`), a movement recorded
  (:func:`record_movement`), the register as a report;
- ``corporatetax``: the corporate tax (IS) of a profit, its two rates and the SCIC's
  deduction of its indivisible reserves (:func:`corporate_tax`, :func:`scic_reserves`);
- ``checks`` and ``capital_checks``: the ``check`` rules (exercice locks, allocations;
  the register ties to the books). They register when imported, through
  ``books.checks.RULE_MODULES``; this package does not import them.

``yearend`` and ``capital`` are transition modules: they re-export what the CLI imports
from them and import the rule modules.

May import: books, core, and the lower domains (purchases, sales, lettering) through their
package interfaces; it imports lettering (open items, settling letters).
"""

from .allocation import Allocation as Allocation
from .allocation import Minimums as Minimums
from .allocation import allocate as allocate
from .allocation import propose as propose
from .capital_movements import CapitalRequest as CapitalRequest
from .capital_movements import record_movement as record_movement
from .closing import close_exercice as close_exercice
from .exercices import parse_exercice as parse_exercice
from .inventory import book_inventory as book_inventory
from .opening import open_books as open_books
from .register import capital_entity as capital_entity
from .register import register_of as register_of
from .register_report import COLUMNS as COLUMNS
from .register_report import register_csv as register_csv
from .register_report import register_json as register_json
from .register_report import register_markdown as register_markdown
from .register_report import register_rows as register_rows
from .reversal import reverse_entry as reverse_entry
