"""UTC timestamps as sortable ISO text ("2026-12-01T13:00:00Z") and conversions from local wall time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from peerlearn import clock
from peerlearn.errors import BadRequest

# Dates a client sends are read only inside these years: nothing on PeerLearn happens outside them,
# and arithmetic near year 1 or 9999 overflows Python's datetime.
EARLIEST_YEAR = 2000
LATEST_YEAR = 2100


def to_iso(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def from_iso(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC)


def now_iso() -> str:
    return iso_from_epoch(clock.now_seconds())


def iso_from_epoch(seconds: float) -> str:
    return to_iso(datetime.fromtimestamp(seconds, tz=UTC))


def epoch(text: str) -> int:
    return int(from_iso(text).timestamp())


def local_to_utc_iso(local: str, timezone: str, *, field: str = "starts_at_local") -> str:
    """'2026-12-05T18:30' in Asia/Kolkata -> '2026-12-05T13:00:00Z'. Refuses times a DST gap skips."""
    try:
        naive = datetime.strptime(local, "%Y-%m-%dT%H:%M")
    except ValueError as exc:
        raise BadRequest("Use a date and time like 2026-12-05T18:30.", field=field) from exc
    if not EARLIEST_YEAR <= naive.year <= LATEST_YEAR:
        raise BadRequest(
            "Pick a time within the next year: sessions can be scheduled up to a year ahead.", field=field
        )
    zone = ZoneInfo(timezone)
    aware = naive.replace(tzinfo=zone)
    round_trip = aware.astimezone(UTC).astimezone(zone).replace(tzinfo=None)
    if round_trip != naive:
        raise BadRequest("That time does not exist in this time zone (a clock change skips it).", field=field)
    return to_iso(aware)


def plus_minutes(iso: str, minutes: int) -> str:
    return to_iso(from_iso(iso) + timedelta(minutes=minutes))


def day_start_iso(day: str, *, field: str) -> str:
    """'2026-12-05' -> '2026-12-05T00:00:00Z', for dates between EARLIEST_YEAR and LATEST_YEAR."""
    try:
        start = datetime.strptime(day, "%Y-%m-%d").replace(tzinfo=UTC)
    except ValueError as exc:
        raise BadRequest("Use a date like 2026-12-05.", field=field) from exc
    if not EARLIEST_YEAR <= start.year <= LATEST_YEAR:
        raise BadRequest(f"Pick a date between {EARLIEST_YEAR} and {LATEST_YEAR}.", field=field)
    return to_iso(start)
