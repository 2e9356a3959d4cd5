"""Random runs of captures, refunds, maturities, withdrawals, payouts and replays on moto: whatever
the order, the books balance, every total equals its lines, money in equals money accounted for, a
mentor's available balance never goes below zero, and the journal reconciles with the payments made."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from moto import mock_aws
from pynamodb.exceptions import TransactWriteError

from infra.local.template import Template
from peerlearn import ledger, store
from peerlearn.config import Settings
from peerlearn.context import build_context

MENTOR = "m1"
DUE_AT = 1_800_000_000

operations = st.lists(
    st.one_of(
        st.tuples(st.just("capture"), st.integers(min_value=100, max_value=500_000)),
        st.tuples(
            st.just("refund"),
            st.integers(min_value=0, max_value=20),
            st.integers(min_value=1, max_value=10**6),
        ),
        st.tuples(st.just("mature"), st.just(0)),
        st.tuples(st.just("withdraw"), st.integers(min_value=1, max_value=400_000)),
        st.tuples(st.just("settle"), st.integers(min_value=0, max_value=20), st.booleans()),
        st.tuples(st.just("replay"), st.integers(min_value=0, max_value=50)),
    ),
    min_size=1,
    max_size=18,
)


@dataclass
class Run:
    """What happened, kept apart from the ledger: the model the ledger must agree with."""

    payments: list[tuple[str, int]] = field(default_factory=list)  # (payment id, amount)
    refunded: dict[str, int] = field(default_factory=dict)  # payment id -> paise refunded so far
    refund_rows: list[tuple[str, int]] = field(default_factory=list)
    withdrawals: list[tuple[str, int]] = field(default_factory=list)  # not yet settled
    posted: list[ledger.Entry] = field(default_factory=list)


def _post(entry: ledger.Entry, *, never_negative: tuple[str, ...] = (), also: Any = None) -> bool:
    try:
        with store.transaction() as tx:
            ledger.post(tx, entry, never_negative=never_negative)
            if also is not None:
                also(tx)
    except TransactWriteError:
        return False
    return True


def _capture(run: Run, amount: int) -> None:
    payment_id = f"pay_{len(run.payments)}"
    parts = ledger.split(amount)
    key = f"capture#{payment_id}"
    entry = ledger.capture_entry(
        key, kind="booking_capture", payment_id=payment_id, amount_paise=amount, mentor_id=MENTOR,
        split=parts, refs={},
    )  # fmt: skip

    def schedule(tx: Any) -> None:
        ledger.schedule_maturity(
            tx, key=key, mentor_id=MENTOR, amount_paise=parts.mentor_share_paise, due_at_epoch=DUE_AT, refs={}
        )

    assert _post(entry, also=schedule)
    run.payments.append((payment_id, amount))
    run.posted.append(entry)


def _refund(run: Run, which: int, wanted: int) -> None:
    if not run.payments:
        return
    payment_id, amount = run.payments[which % len(run.payments)]
    before = run.refunded.get(payment_id, 0)
    paise = min(wanted, amount - before)
    if paise <= 0:
        return
    key = f"capture#{payment_id}"
    left = ledger.maturity_left_paise(key)
    refund_id = f"rfnd_{len(run.refund_rows)}"
    entry = ledger.refund_entry(
        f"refund#{refund_id}", refund_id=refund_id, payment_id=payment_id, amount_paise=paise,
        mentor_id=MENTOR, original=ledger.split(amount), refs={}, refunded_before_paise=before,
        matured=left is None,
    )  # fmt: skip
    from_pending = sum(
        line.debit_paise for line in entry.lines if line.account == ledger.mentor_pending(MENTOR)
    )
    from_available = sum(
        line.debit_paise for line in entry.lines if line.account == ledger.mentor_available(MENTOR)
    )
    if left is not None and from_pending:
        assert _post(entry, also=lambda tx: ledger.reduce_maturity(tx, key, from_pending))
    elif left is None and from_available > ledger.balance(ledger.mentor_available(MENTOR)):
        return  # the mentor withdrew it already: a refund the platform would have to fund (out of scope)
    else:
        assert _post(entry)
    run.refunded[payment_id] = before + paise
    run.refund_rows.append((refund_id, paise))
    run.posted.append(entry)


def _withdraw(run: Run, paise: int) -> None:
    available = ledger.balance(ledger.mentor_available(MENTOR))
    withdrawal_id = f"wd_{len(run.posted)}"
    entry = ledger.withdrawal_entry(
        f"withdrawal#{withdrawal_id}", mentor_id=MENTOR, amount_paise=paise, refs={}
    )
    done = _post(entry, never_negative=(ledger.mentor_available(MENTOR),))
    assert done == (paise <= available)
    if done:
        run.withdrawals.append((withdrawal_id, paise))
        run.posted.append(entry)


def _settle(run: Run, which: int, paid: bool) -> None:
    if not run.withdrawals:
        return
    withdrawal_id, paise = run.withdrawals.pop(which % len(run.withdrawals))
    entry = ledger.payout_settled_entry(
        f"payout#{withdrawal_id}", mentor_id=MENTOR, amount_paise=paise, paid=paid, refs={}
    )
    assert _post(entry)
    run.posted.append(entry)


def _replay(run: Run, which: int) -> None:
    if not run.posted:
        return
    entry = run.posted[which % len(run.posted)]
    with pytest.raises(TransactWriteError) as failure, store.transaction() as tx:
        ledger.post(tx, entry)
    assert ledger.already_posted(failure.value, entry)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(operations)
def test_random_runs_keep_the_books(env: dict[str, str], steps: list[tuple[Any, ...]]) -> None:
    with mock_aws():
        template = Template.load(refs={"Table": env["TABLE_NAME"]})
        boto3.client("dynamodb", region_name="ap-south-1").create_table(**template.table_definition())
        build_context(Settings.from_env(env))
        run = Run()
        for name, *args in steps:
            if name == "capture":
                _capture(run, *args)
            elif name == "refund":
                _refund(run, *args)
            elif name == "mature":
                ledger.mature_due(DUE_AT)
            elif name == "withdraw":
                _withdraw(run, *args)
            elif name == "settle":
                _settle(run, *args)
            else:
                _replay(run, *args)
            assert ledger.balance(ledger.mentor_available(MENTOR)) >= 0
            assert ledger.balance(ledger.mentor_pending(MENTOR)) >= 0

        captured = sum(amount for _pid, amount in run.payments)
        refunded = sum(run.refunded.values())
        in_transit = sum(paise for _wid, paise in run.withdrawals)
        assert ledger.check_books() == []
        assert ledger.balance(ledger.GATEWAY_CLEARING) == -(captured - refunded)
        assert ledger.balance(ledger.PAYOUTS_IN_TRANSIT) == in_transit
        mentor_total = sum(
            ledger.balance(account(MENTOR)) for account in (ledger.mentor_pending, ledger.mentor_available)
        )
        platform_total = sum(
            ledger.balance(a)
            for a in (ledger.PLATFORM_FEE, ledger.GST_PAYABLE, ledger.TCS_PAYABLE, ledger.TDS_PAYABLE)
        )
        # Every rupee captured and not refunded is the mentor's, in transit, paid out, or the platform's
        paid_out = ledger.balance(ledger.PAYOUTS_PAID)
        assert captured - refunded == mentor_total + in_transit + paid_out + platform_total
        assert ledger.balance(ledger.mentor_withdrawn(MENTOR)) == paid_out
        rows = [{"type": "payment", "entity_id": pid, "amount": amount} for pid, amount in run.payments]
        rows += [{"type": "refund", "entity_id": rid, "amount": paise} for rid, paise in run.refund_rows]
        assert ledger.reconcile(rows) == []
