"""The ledger's named accounts. Balances are credit-normal (credits - debits): what the platform owes
(mentors, tax authorities) is positive; gateway clearing, money Razorpay holds for us, is negative."""

from __future__ import annotations

GATEWAY_CLEARING = "gateway_clearing"
PLATFORM_FEE = "platform_fee_revenue"
GST_PAYABLE = "gst_on_fee_payable"
TCS_PAYABLE = "tcs_payable"
TDS_PAYABLE = "tds_payable"
GATEWAY_FEE = "gateway_fee_expense"
REFUNDS_PAYABLE = "refunds_payable"
PAYOUTS_IN_TRANSIT = "payouts_in_transit"
PAYOUTS_PAID = "payouts_paid"
# The other side of the per-mentor `mentor_withdrawn#<id>` tallies: a paid payout credits the
# mentor's tally and debits this, so the memo pair balances on its own (-(sum of all tallies)).
WITHDRAWN_MEMO = "mentor_withdrawn_memo"

_PENDING = "mentor_pending#"
_AVAILABLE = "mentor_available#"
_WITHDRAWN = "mentor_withdrawn#"
MENTOR_PREFIXES = (_PENDING, _AVAILABLE, _WITHDRAWN)


def mentor_pending(mentor_id: str) -> str:
    """Earned, not yet withdrawable: inside the session's dispute window."""
    return f"{_PENDING}{mentor_id}"


def mentor_available(mentor_id: str) -> str:
    """Matured earnings the mentor may withdraw."""
    return f"{_AVAILABLE}{mentor_id}"


def mentor_withdrawn(mentor_id: str) -> str:
    """Everything paid out to the mentor (a memo tally, see WITHDRAWN_MEMO)."""
    return f"{_WITHDRAWN}{mentor_id}"


def single_item(account: str) -> bool:
    """Whether the account's total is one item (a mentor's available and withdrawn balances: the
    ones a never-negative condition guards) rather than spread over shards (see journal)."""
    return account.startswith((_AVAILABLE, _WITHDRAWN))


def mentor_of(account: str) -> str | None:
    """The mentor id in a mentor account's name, None for the platform's accounts."""
    for prefix in MENTOR_PREFIXES:
        if account.startswith(prefix):
            return account.removeprefix(prefix)
    return None
