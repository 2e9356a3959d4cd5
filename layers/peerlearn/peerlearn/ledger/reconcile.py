"""Proving the books: every entry balances and every account's totals equal the sum of its lines
(check_books), and Razorpay's settlement recon report agrees with the journal (reconcile)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from peerlearn.ledger.accounts import GATEWAY_CLEARING, GATEWAY_FEE, MENTOR_PREFIXES
from peerlearn.ledger.journal import Entry, all_balances, all_entries
from peerlearn.ledger.maturity import held_earnings

CAPTURE_KINDS = frozenset({"booking_capture", "gift_capture"})
REFUND_KIND = "refund"
FEE_KIND = "gateway_fee"
# Balances that must never be below zero (credit-normal), whatever posted them.
_NEVER_NEGATIVE_PREFIXES = MENTOR_PREFIXES


@dataclass(frozen=True)
class Break:
    kind: str
    detail: str

    def __str__(self) -> str:
        return f"{self.kind}: {self.detail}"


def check_books(entries: Iterable[Entry] | None = None) -> list[Break]:
    """Every entry has lines and balances; every account's stored debits, credits and balance equal
    the sums of its lines; no mentor balance is below zero; no earning is held by the maturity job.
    Scans the journal (a job, not a request)."""
    breaks: list[Break] = []
    debits: dict[str, int] = defaultdict(int)
    credits: dict[str, int] = defaultdict(int)
    for entry in all_entries() if entries is None else entries:
        debits_paise, credits_paise = entry.debits_paise(), entry.credits_paise()
        if not entry.lines or debits_paise != credits_paise:
            detail = f"{entry.key}: debits {debits_paise} paise, credits {credits_paise} paise"
            breaks.append(Break("unbalanced_entry", detail))
        for line in entry.lines:
            debits[line.account] += line.debit_paise
            credits[line.account] += line.credit_paise
    stored: dict[str, tuple[int, int, int]] = defaultdict(lambda: (0, 0, 0))
    for item in all_balances():  # an account's totals may be spread over several items
        d, c, b = stored[str(item.account)]
        stored[str(item.account)] = (
            d + int(item.debits_paise),
            c + int(item.credits_paise),
            b + int(item.balance_paise),
        )
    for account in sorted(set(stored) | set(debits) | set(credits)):
        kept = stored[account]
        summed = (debits[account], credits[account], credits[account] - debits[account])
        if kept != summed:
            breaks.append(
                Break(
                    "balance_mismatch",
                    f"{account}: totals (debits, credits, balance) {kept} paise, its lines sum to {summed}",
                )
            )
        if account.startswith(_NEVER_NEGATIVE_PREFIXES) and kept[2] < 0:
            breaks.append(Break("negative_balance", f"{account}: {kept[2]} paise"))
    for held in held_earnings():
        detail = (
            f"{held.key}: {int(held.amount_paise)} paise for {held.mentor_id} exceed their pending balance"
        )
        breaks.append(Break("maturity_held", detail))
    return breaks


def _clearing(entry: Entry, *, debit: bool) -> int:
    return sum(
        line.debit_paise if debit else line.credit_paise
        for line in entry.lines
        if line.account == GATEWAY_CLEARING
    )


def reconcile(recon_rows: list[dict[str, Any]], entries: Iterable[Entry] | None = None) -> list[Break]:
    """Razorpay's recon report against the journal: each captured payment has exactly one capture
    entry (by refs["payment_id"]) of the same amount, each refund exactly one refund entry (by
    refs["refund_id"]), no capture is missing from the report, and the report's captured total
    equals the gateway clearing debits of the capture entries. Where Razorpay's fee on a payment
    was booked (gateway_fee entries), it equals the report's `fee`. Give the report of every period the
    journal covers. Rows of other types (transfers, adjustments, settlements) are not checked."""
    journal = list(all_entries() if entries is None else entries)
    captures: dict[str, list[Entry]] = defaultdict(list)
    refunds: dict[str, list[Entry]] = defaultdict(list)
    fees_paise: dict[str, int] = defaultdict(int)
    for entry in journal:
        if entry.kind in CAPTURE_KINDS:
            captures[entry.refs.get("payment_id", "")].append(entry)
        elif entry.kind == REFUND_KIND:
            refunds[entry.refs.get("refund_id", "")].append(entry)
        elif entry.kind == FEE_KIND:
            fee = sum(line.debit_paise for line in entry.lines if line.account == GATEWAY_FEE)
            fees_paise[entry.refs.get("payment_id", "")] += fee
    breaks: list[Break] = []
    reported_payments: set[str] = set()
    captured_paise = 0
    for row in recon_rows:
        row_type, entity_id, amount_paise = (
            str(row.get("type")),
            str(row.get("entity_id")),
            int(row.get("amount") or 0),
        )
        if row_type == "payment":
            if entity_id in reported_payments:
                continue
            reported_payments.add(entity_id)
            captured_paise += amount_paise
            breaks += _one_match("payment", entity_id, amount_paise, captures.get(entity_id, []), debit=True)
            fee_paise = int(row.get("fee") or 0)
            if entity_id in fees_paise and fees_paise[entity_id] != fee_paise:
                detail = (
                    f"payment {entity_id}: Razorpay's fee {fee_paise} paise, booked {fees_paise[entity_id]}"
                )
                breaks.append(Break("gateway_fee_mismatch", detail))
        elif row_type == "refund":
            breaks += _one_match("refund", entity_id, amount_paise, refunds.get(entity_id, []), debit=False)
    for payment_id, found in sorted(captures.items()):
        if payment_id not in reported_payments:
            keys = ", ".join(e.key for e in found)
            breaks.append(
                Break("capture_not_in_report", f"{payment_id} (entries {keys}) is not in Razorpay's report")
            )
    cleared_paise = sum(_clearing(e, debit=True) for found in captures.values() for e in found)
    if captured_paise != cleared_paise:
        detail = (
            f"Razorpay captured {captured_paise} paise; captures debited gateway clearing {cleared_paise}"
        )
        breaks.append(Break("captured_total_mismatch", detail))
    return breaks


def _one_match(
    what: str, entity_id: str, amount_paise: int, found: list[Entry], *, debit: bool
) -> list[Break]:
    if not found:
        return [
            Break(
                f"{what}_without_entry", f"Razorpay's {what} {entity_id} ({amount_paise} paise) has no entry"
            )
        ]
    if len(found) > 1:
        keys = ", ".join(e.key for e in found)
        return [Break(f"{what}_with_several_entries", f"{what} {entity_id} has {len(found)} entries: {keys}")]
    booked_paise = _clearing(found[0], debit=debit)
    if booked_paise != amount_paise:
        detail = f"{what} {entity_id}: Razorpay {amount_paise} paise, entry {found[0].key} {booked_paise}"
        return [Break(f"{what}_amount_mismatch", detail)]
    return []
