"""Journal entries and account balances: an entry is written once under its idempotency key, in
the caller's transaction, together with one running-total update per account it moves."""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from pynamodb.exceptions import TransactWriteError
from pynamodb.expressions.condition import Condition

from peerlearn import clock
from peerlearn.ledger.accounts import mentor_of, single_item
from peerlearn.store.keys import (
    LEDGER_ENTRY_SK,
    balance_pk,
    balance_sk,
    ledger_entry_pk,
    mentor_ledger_pk,
    mentor_ledger_sk,
)
from peerlearn.store.models import LedgerBalanceItem, LedgerEntryItem, LedgerLineMap

_CONDITION_FAILED = "ConditionalCheckFailed"
# Every capture moves the platform's accounts (clearing, fee, GST, TCS, TDS) and its mentor's pending
# balance, and DynamoDB cancels a transaction that meets another on the same item
# (TransactionConflict): so those totals are spread over this many items, picked by the entry's key,
# and summed on read. A mentor's available and withdrawn balances stay one item each: rarely
# contended, and a never-negative condition needs the whole total in one item.
BALANCE_SHARDS = 8


def balance_shard(account: str, entry_key: str) -> int:
    """Which of the account's total items an entry updates (always 0 for single-item accounts)."""
    if single_item(account):
        return 0
    return zlib.crc32(entry_key.encode()) % BALANCE_SHARDS


@dataclass(frozen=True)
class Line:
    account: str
    debit_paise: int = 0
    credit_paise: int = 0

    def __post_init__(self) -> None:
        if self.debit_paise < 0 or self.credit_paise < 0:
            raise ValueError("a line's amounts are never negative")
        if (self.debit_paise > 0) == (self.credit_paise > 0):
            raise ValueError("a line debits or credits, exactly one side above zero")


@dataclass(frozen=True)
class Entry:
    key: str  # idempotency key: "capture#pay_X", "refund#rfnd_X", ...
    kind: str
    lines: list[Line]
    refs: dict[str, str] = field(default_factory=dict)
    at: str | None = None  # UTC ISO; post() stamps the time when None

    def debits_paise(self) -> int:
        return sum(line.debit_paise for line in self.lines)

    def credits_paise(self) -> int:
        return sum(line.credit_paise for line in self.lines)

    def net_paise(self) -> dict[str, int]:
        """Credit-normal movement per account (credits - debits), accounts in first-seen order."""
        moved: dict[str, int] = {}
        for line in self.lines:
            moved[line.account] = moved.get(line.account, 0) + line.credit_paise - line.debit_paise
        return moved

    def mentor_id(self) -> str | None:
        return next((m for m in (mentor_of(line.account) for line in self.lines) if m), None)


def validate(entry: Entry) -> None:
    if not entry.lines:
        raise ValueError(f"entry {entry.key} has no lines")
    if entry.debits_paise() != entry.credits_paise():
        debits, credits = entry.debits_paise(), entry.credits_paise()
        raise ValueError(f"entry {entry.key} is unbalanced: debits {debits} != credits {credits}")


def post(tx: Any, entry: Entry, *, never_negative: Iterable[str] = ()) -> None:
    """Adds `entry` to the open TransactWrite `tx`: the entry (only if its key is new, so a replay
    cancels the whole transaction) and one balance update per account. Accounts in `never_negative`
    whose balance the entry lowers are conditioned to stay at or above zero."""
    validate(entry)
    at = entry.at or clock.iso(clock.now_seconds())
    guarded = set(never_negative)
    if not all(single_item(account) for account in guarded):
        raise ValueError("only a mentor's available or withdrawn balance can be kept from going negative")
    tx.save(_entry_item(entry, at), condition=LedgerEntryItem.pk.does_not_exist(), return_values="ALL_OLD")
    for account, net in entry.net_paise().items():
        debits = sum(line.debit_paise for line in entry.lines if line.account == account)
        credits = sum(line.credit_paise for line in entry.lines if line.account == account)
        actions = LedgerBalanceItem.upsert_actions(
            [
                LedgerBalanceItem.account.set(account),
                LedgerBalanceItem.debits_paise.add(debits),
                LedgerBalanceItem.credits_paise.add(credits),
                LedgerBalanceItem.balance_paise.add(net),
            ]
        )
        condition = None
        if account in guarded and net < 0:
            condition = LedgerBalanceItem.balance_paise >= -net
        total = LedgerBalanceItem(balance_pk(account), balance_sk(balance_shard(account, entry.key)))
        tx.update(total, actions=actions, condition=condition)


def _entry_item(entry: Entry, at: str) -> LedgerEntryItem:
    item = LedgerEntryItem(
        ledger_entry_pk(entry.key),
        LEDGER_ENTRY_SK,
        key=entry.key,
        kind=entry.kind,
        lines=[
            LedgerLineMap(account=line.account, debit_paise=line.debit_paise, credit_paise=line.credit_paise)
            for line in entry.lines
        ],
        refs=dict(entry.refs),
        at=at,
    )
    mentor_id = entry.mentor_id()
    if mentor_id is not None:
        item.gsi2pk = mentor_ledger_pk(mentor_id)
        item.gsi2sk = mentor_ledger_sk(at, entry.key)
    return item


def already_posted(exc: TransactWriteError, entry: Entry | str) -> bool:
    """Whether a cancelled transaction failed because `entry` (or an entry with that key) is
    already in the journal: a replay the caller can treat as done."""
    key = entry if isinstance(entry, str) else entry.key
    reasons = [r for r in exc.cancellation_reasons or [] if r is not None and r.code == _CONDITION_FAILED]
    pk = ledger_entry_pk(key)
    if any((r.raw_item or {}).get("pk", {}).get("S") == pk for r in reasons):
        return True
    # Engines that return no item with the reason: a failed condition and the entry present.
    return bool(reasons) and _entry_item_or_none(key) is not None


def balance(account: str) -> int:
    """The account's credit-normal balance in paise (consistent read; 0 if it never moved): one
    Query summing its total items."""
    shards = LedgerBalanceItem.query(balance_pk(account), consistent_read=True)
    return sum(int(item.balance_paise) for item in shards)


def _entry_item_or_none(key: str) -> LedgerEntryItem | None:
    try:
        return LedgerEntryItem.get(ledger_entry_pk(key), LEDGER_ENTRY_SK, consistent_read=True)
    except LedgerEntryItem.DoesNotExist:
        return None


def entry(key: str) -> Entry | None:
    """The entry posted under `key`, if any."""
    item = _entry_item_or_none(key)
    return None if item is None else from_item(item)


def from_item(item: LedgerEntryItem) -> Entry:
    lines = [Line(line.account, int(line.debit_paise), int(line.credit_paise)) for line in item.lines]
    refs = {str(k): str(v) for k, v in (item.refs.as_dict() if item.refs else {}).items()}
    return Entry(key=item.key, kind=item.kind, lines=lines, refs=refs, at=item.at)


def mentor_entries(
    mentor_id: str, *, from_at: str | None = None, to_at: str | None = None
) -> Iterator[Entry]:
    """A mentor's entries (captures, refunds, maturities, withdrawals, payouts), oldest first, with
    `from_at <= at < to_at` when given (UTC ISO): one Query of gsi2, for the earnings page."""
    sort_key = LedgerEntryItem.gsi2sk
    condition: Condition | None = None
    if from_at is not None and to_at is not None:
        condition = sort_key.between(from_at, to_at)  # inclusive; `<at>#<key>` > to_at drops at == to_at
    elif from_at is not None:
        condition = sort_key >= from_at
    elif to_at is not None:
        condition = sort_key < to_at
    for item in LedgerEntryItem.by_mentor.query(mentor_ledger_pk(mentor_id), condition):
        yield from_item(item)


def all_entries() -> Iterator[Entry]:
    """Every entry: a Scan, for reconciliation jobs only."""
    for item in LedgerEntryItem.scan(consistent_read=True):
        yield from_item(item)


def all_balances() -> Iterator[LedgerBalanceItem]:
    """Every account's totals: a Scan, for reconciliation jobs only."""
    yield from LedgerBalanceItem.scan(consistent_read=True)
