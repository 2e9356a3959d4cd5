"""A minimal stand-in for `peerlearn.ledger` (Part B of issue 7, written in parallel), following the
brief's contract, so the payments tests run before the ledger branch is merged. Installed by the
payments tests' conftest only when the real package is missing; never shipped (tests/ only).
"""

from __future__ import annotations

import sys
import types
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from pynamodb.attributes import NumberAttribute, UnicodeAttribute
from pynamodb.exceptions import DoesNotExist, TransactWriteError

from peerlearn import store
from peerlearn.store.models import BaseItem, Gsi1

GATEWAY_CLEARING = "gateway_clearing"
PLATFORM_FEE = "platform_fee_revenue"
GST_PAYABLE = "gst_on_fee_payable"
TCS_PAYABLE = "tcs_payable"
TDS_PAYABLE = "tds_payable"
GATEWAY_FEE = "gateway_fee_expense"
REFUNDS_PAYABLE = "refunds_payable"
PAYOUTS_IN_TRANSIT = "payouts_in_transit"
PAYOUTS_PAID = "payouts_paid"


def mentor_pending(mentor_id: str) -> str:
    return f"mentor_pending#{mentor_id}"


def mentor_available(mentor_id: str) -> str:
    return f"mentor_available#{mentor_id}"


def mentor_withdrawn(mentor_id: str) -> str:
    return f"mentor_withdrawn#{mentor_id}"


@dataclass(frozen=True)
class Line:
    account: str
    debit_paise: int = 0
    credit_paise: int = 0


@dataclass(frozen=True)
class Entry:
    key: str
    kind: str
    lines: list[Line]
    refs: dict[str, str]
    at: str | None = None


@dataclass(frozen=True)
class Split:
    amount_paise: int
    platform_fee_paise: int
    gst_paise: int
    tcs_paise: int
    tds_paise: int
    mentor_share_paise: int


@dataclass(frozen=True)
class Break:
    kind: str
    detail: str


class _EntryItem(BaseItem, discriminator="STANDIN_LEDGER_ENTRY"):
    kind = UnicodeAttribute()
    lines = UnicodeAttribute()  # "account:debit:credit;..."
    refs = UnicodeAttribute(default="")


class _BalanceItem(BaseItem, discriminator="STANDIN_LEDGER_BALANCE"):
    balance = NumberAttribute(default=0)


class _MaturityItem(BaseItem, discriminator="STANDIN_LEDGER_MATURITY"):
    key = UnicodeAttribute()
    mentor_id = UnicodeAttribute()
    amount_paise = NumberAttribute()
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    matures = Gsi1()


class _NumberItem(BaseItem, discriminator="STANDIN_LEDGER_NUMBER"):
    number = UnicodeAttribute(null=True)
    last = NumberAttribute(default=0)


def _half_up(amount: int, bps: int) -> int:
    return (amount * bps + 5000) // 10000


def split(
    amount_paise: int, *, fee_bps: int = 1000, gst_bps: int = 1800, tcs_bps: int = 50, tds_bps: int = 10
) -> Split:
    fee = _half_up(amount_paise, fee_bps)
    gst = _half_up(fee, gst_bps)
    tcs = _half_up(amount_paise - fee - gst, tcs_bps)
    tds = _half_up(amount_paise, tds_bps)
    return Split(amount_paise, fee, gst, tcs, tds, amount_paise - fee - gst - tcs - tds)


def post(tx: Any, entry: Entry, *, never_negative: Iterable[str] = ()) -> None:
    if not entry.lines or sum(x.debit_paise for x in entry.lines) != sum(x.credit_paise for x in entry.lines):
        raise ValueError("unbalanced entry")
    lines = ";".join(f"{x.account}:{x.debit_paise}:{x.credit_paise}" for x in entry.lines)
    refs = ";".join(f"{k}={v}" for k, v in sorted(entry.refs.items()))
    tx.save(
        _EntryItem(f"LEDGER#{entry.key}", "ENTRY", kind=entry.kind, lines=lines, refs=refs),
        condition=_EntryItem.pk.does_not_exist(),
    )
    totals: dict[str, int] = {}
    for x in entry.lines:
        totals[x.account] = totals.get(x.account, 0) + x.credit_paise - x.debit_paise
    guarded = set(never_negative)
    for account, delta in totals.items():
        condition = None
        if account in guarded and delta < 0:
            condition = _BalanceItem.balance >= -delta
        tx.update(
            _BalanceItem(f"BALANCE#{account}", "BALANCE"),
            actions=_BalanceItem.upsert_actions([_BalanceItem.balance.add(delta)]),
            condition=condition,
        )


def already_posted(exc: TransactWriteError, *args: Any, **kwargs: Any) -> bool:
    return store.condition_failed(exc)


def balance(account: str) -> int:
    try:
        return int(_BalanceItem.get(f"BALANCE#{account}", "BALANCE", consistent_read=True).balance)
    except DoesNotExist:
        return 0


def entry(key: str) -> Entry | None:
    try:
        item = _EntryItem.get(f"LEDGER#{key}", "ENTRY", consistent_read=True)
    except DoesNotExist:
        return None
    lines = []
    for part in item.lines.split(";"):
        account, debit, credit = part.rsplit(":", 2)
        lines.append(Line(account, int(debit), int(credit)))
    refs = dict(p.split("=", 1) for p in item.refs.split(";") if p)
    return Entry(key, item.kind, lines, refs)


def capture_entry(
    key: str,
    *,
    kind: str,
    payment_id: str,
    amount_paise: int,
    mentor_id: str,
    split: Split,
    refs: dict[str, str],
) -> Entry:
    return Entry(
        key,
        kind,
        [
            Line(GATEWAY_CLEARING, debit_paise=amount_paise),
            Line(mentor_pending(mentor_id), credit_paise=split.mentor_share_paise),
            Line(PLATFORM_FEE, credit_paise=split.platform_fee_paise),
            Line(GST_PAYABLE, credit_paise=split.gst_paise),
            Line(TCS_PAYABLE, credit_paise=split.tcs_paise),
            Line(TDS_PAYABLE, credit_paise=split.tds_paise),
        ],
        {**refs, "payment_id": payment_id},
    )


DISPUTE_WINDOW_SECONDS = 72 * 3600


def maturity_key(key: str) -> str:
    return f"maturity#{key}"


def refund_entry(
    key: str,
    *,
    refund_id: str,
    payment_id: str,
    amount_paise: int,
    mentor_id: str,
    original: Split,
    refs: dict[str, str],
    refunded_before_paise: int = 0,
    matured: bool = False,
) -> Entry:
    if refunded_before_paise + amount_paise > original.amount_paise:
        raise ValueError("refunds would exceed the captured amount")
    mentor = mentor_available(mentor_id) if matured else mentor_pending(mentor_id)

    def prorate(refunded: int) -> list[int]:
        parts = [original.platform_fee_paise, original.gst_paise, original.tcs_paise, original.tds_paise]
        if refunded == original.amount_paise:
            return [*parts, original.mentor_share_paise]
        cut = [p * refunded // original.amount_paise for p in parts]
        return [*cut, refunded - sum(cut)]

    after, before = prorate(refunded_before_paise + amount_paise), prorate(refunded_before_paise)
    fee, gst, tcs, tds, share = (a - b for a, b in zip(after, before, strict=True))
    lines = [Line(GATEWAY_CLEARING, credit_paise=amount_paise)]
    for account, part in (
        (mentor, share),
        (PLATFORM_FEE, fee),
        (GST_PAYABLE, gst),
        (TCS_PAYABLE, tcs),
        (TDS_PAYABLE, tds),
    ):
        if part:
            lines.append(Line(account, debit_paise=part))
    return Entry(key, "refund", lines, {**refs, "payment_id": payment_id, "refund_id": refund_id})


def maturity_entry(key: str, *, mentor_id: str, amount_paise: int, refs: dict[str, str]) -> Entry:
    return Entry(
        key,
        "maturity",
        [
            Line(mentor_pending(mentor_id), debit_paise=amount_paise),
            Line(mentor_available(mentor_id), credit_paise=amount_paise),
        ],
        refs,
    )


def schedule_maturity(
    tx: Any, *, key: str, mentor_id: str, amount_paise: int, due_at_epoch: int, refs: dict[str, str]
) -> None:
    if amount_paise <= 0:
        raise ValueError("amount_paise must be above zero")
    tx.save(
        _MaturityItem(
            f"MATURITY#{key}",
            "MATURITY",
            key=key,
            mentor_id=mentor_id,
            amount_paise=amount_paise,
            gsi1pk="MATURES",
            gsi1sk=f"{due_at_epoch:010d}#{key}",
        )
    )


def cancel_maturity(tx: Any, key: str) -> None:
    tx.delete(_MaturityItem(f"MATURITY#{key}", "MATURITY"), condition=_MaturityItem.pk.exists())


def reduce_maturity(tx: Any, key: str, by_paise: int) -> None:
    tx.update(
        _MaturityItem(f"MATURITY#{key}", "MATURITY"),
        actions=[_MaturityItem.amount_paise.add(-by_paise)],
        condition=_MaturityItem.pk.exists() & (_MaturityItem.amount_paise >= by_paise),
    )


def mature_due(now_epoch: int) -> int:
    done = 0
    for item in _MaturityItem.matures.query("MATURES", _MaturityItem.gsi1sk < f"{now_epoch + 1:010d}"):
        try:
            with store.transaction() as tx:
                post(
                    tx,
                    maturity_entry(
                        maturity_key(item.key),
                        mentor_id=item.mentor_id,
                        amount_paise=int(item.amount_paise),
                        refs={},
                    ),
                )
                tx.delete(item, condition=_MaturityItem.pk.exists())
            done += 1
        except TransactWriteError:
            pass
    return done


def document_number(series: str, for_key: str, at_epoch: int) -> str:
    prefix = "PL" if series == "receipt" else "PLCN"
    try:
        return str(_NumberItem.get(f"DOCNO#{series}#{for_key}", "DOCNO", consistent_read=True).number)
    except DoesNotExist:
        pass
    counter = _NumberItem(f"DOCNO_COUNTER#{series}", "COUNTER")
    counter.update(actions=_NumberItem.upsert_actions([_NumberItem.last.add(1)]))
    number = f"{prefix}/2627/{int(counter.last):06d}"
    _NumberItem(f"DOCNO#{series}#{for_key}", "DOCNO", number=number).save()
    return number


def check_books() -> list[Break]:
    return []


def reconcile(recon_rows: list[dict[str, Any]]) -> list[Break]:
    return []


_accounts = types.ModuleType("peerlearn.ledger.accounts")
for _name in (
    "GATEWAY_CLEARING",
    "PLATFORM_FEE",
    "GST_PAYABLE",
    "TCS_PAYABLE",
    "TDS_PAYABLE",
    "GATEWAY_FEE",
    "REFUNDS_PAYABLE",
    "PAYOUTS_IN_TRANSIT",
    "PAYOUTS_PAID",
    "mentor_pending",
    "mentor_available",
    "mentor_withdrawn",
):
    setattr(_accounts, _name, globals()[_name])


def install() -> None:
    """Makes `from peerlearn import ledger` find this module (when the real one is missing)."""
    import peerlearn

    module = sys.modules[__name__]
    module.accounts = _accounts  # type: ignore[attr-defined]
    sys.modules["peerlearn.ledger"] = module
    sys.modules["peerlearn.ledger.accounts"] = _accounts
    peerlearn.ledger = module  # type: ignore[attr-defined]


_ = field
