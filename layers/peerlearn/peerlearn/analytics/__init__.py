"""Analytics: rollups the stream keeps (per India's calendar day, per metric, per dimension), the
backfill that rebuilds them from the table, and the admins' reports read from them (Queries only)."""

from __future__ import annotations

from peerlearn.analytics.rollups import on_change

__all__ = ["on_change"]
