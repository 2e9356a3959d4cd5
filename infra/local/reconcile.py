"""`python -m infra.local reconcile`: the ledger's own checks, then the journal against the running
sandbox's settlement recon report (when it can be fetched). Prints each break; 0 only when clean."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from typing import Any, TextIO

Fetch = Callable[[int, int], list[dict[str, Any]]]  # (year, month) -> that month's recon rows


def months_to_fetch(first_at: str | None, now: datetime) -> list[tuple[int, int]]:
    """Every (year, month) from the journal's first entry (a month early: India is ahead of UTC)
    to now: a payment with no entry at all still shows up in one of them."""
    year, month = now.year, now.month
    if first_at is None:
        return [(year, month)]
    start_year, start_month = int(first_at[:4]), int(first_at[5:7]) - 1
    if start_month == 0:
        start_year, start_month = start_year - 1, 12
    months = []
    while (start_year, start_month) <= (year, month):
        months.append((start_year, start_month))
        start_year, start_month = (start_year + 1, 1) if start_month == 12 else (start_year, start_month + 1)
    return months


def fetch_rows(fetch: Fetch, months: Iterable[tuple[int, int]]) -> list[dict[str, Any]]:
    """The rows of every month, each (type, entity id) once."""
    seen: set[tuple[str, str]] = set()
    rows: list[dict[str, Any]] = []
    for year, month in months:
        for row in fetch(year, month):
            identity = (str(row.get("type")), str(row.get("entity_id")))
            if identity not in seen:
                seen.add(identity)
                rows.append(row)
    return rows


def sandbox_fetch(env: dict[str, str]) -> Fetch:
    """Fetches through the one Razorpay adapter, as the payments functions do."""
    from peerlearn.adapters.razorpay import Razorpay
    from peerlearn.config import RazorpaySettings

    gateway = Razorpay(RazorpaySettings.from_env(env))
    return lambda year, month: gateway.recon(year=year, month=month)


def reconcile_books(
    env: dict[str, str],
    *,
    fetch: Fetch | None = None,
    now: datetime | None = None,
    out: TextIO = sys.stdout,
) -> int:
    """Binds the store to `env`'s table, checks the books, reconciles with the recon report when it
    can be fetched (`fetch` defaults to the sandbox), prints what it found; 0 when nothing to report."""
    from peerlearn import ledger
    from peerlearn.config import Settings
    from peerlearn.context import build_context
    from peerlearn.ledger.journal import all_entries

    build_context(Settings.from_env(env))
    entries = list(all_entries())
    breaks = ledger.check_books(entries)
    first_at = min((e.at for e in entries if e.at), default=None)
    try:
        rows = fetch_rows(fetch or sandbox_fetch(env), months_to_fetch(first_at, now or datetime.now(UTC)))
    except Exception as exc:  # whatever kept the report away (no sandbox, no keys) is said, not raised
        print(f"Razorpay's recon report was not fetched ({type(exc).__name__}: {exc}).", file=out)
        print("Checked the books only (every entry balanced, every total equal to its lines).", file=out)
    else:
        breaks += ledger.reconcile(rows, entries)
        print(f"Razorpay's recon report: {len(rows)} rows.", file=out)
    for found in breaks:
        print(f"BREAK {found}", file=out)
    if breaks:
        print(f"{len(breaks)} break(s) in {len(entries)} entries.", file=out)
        return 1
    print(f"Nothing to report: {len(entries)} entries.", file=out)
    return 0
