"""Shared places (le 97): who pays what of a place's rent and charges, and the entries
that say it.

Owns the places' helpers over ``[places.*]`` (:mod:`place`), the declared days of use
(:mod:`usage`), the pure allocation of a month's charges (:mod:`allocation`), the month's
shares from the host's ledger (:mod:`compute`), the calls and their mirrors in member
entities (:mod:`calls`), payments and lettering of calls (:mod:`payments`), a member's
statement and balances (:mod:`statement`), the check rules (:mod:`checks`) and the
month-end step (:mod:`monthend`), registered through :mod:`shares`.

May import: books, core, and the lower domains purchases (VAT treatment) and lettering.
"""

from .allocation import Allocation as Allocation
from .allocation import MonthSplit as MonthSplit
from .allocation import format_months as format_months
from .compute import compute_shares as compute_shares
from .payments import pay_member as pay_member
from .place import Place as Place
from .place import all_places as all_places
from .statement import MemberBalance as MemberBalance
from .statement import Statement as Statement
from .statement import member_statement as member_statement
from .usage import usage_of as usage_of
