"""How a notice words times and money for the person reading it: times in their own time zone
(UserItem.timezone), money in rupees from integer paise."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from peerlearn import timeutil
from peerlearn.accounts.lookups import get_user
from peerlearn.errors import NotFound

DEFAULT_TIMEZONE = "Asia/Kolkata"


def local_time(iso_utc: str, timezone: str) -> str:
    """'2027-01-05T13:00:00Z' in Asia/Kolkata -> 'Tue 5 Jan, 6:30 pm IST'."""
    try:
        zone = ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        zone = ZoneInfo(DEFAULT_TIMEZONE)
    moment = timeutil.from_iso(iso_utc).astimezone(zone)
    hour, half = moment.hour % 12 or 12, "am" if moment.hour < 12 else "pm"
    return f"{moment:%a} {moment.day} {moment:%b}, {hour}:{moment:%M} {half} {moment:%Z}"


def rupees(paise: int) -> str:
    """49900 -> '₹499.00'; 1000000 -> '₹10,000.00'."""
    return f"₹{int(paise) / 100:,.2f}"


def minutes_text(seconds: int) -> str:
    """A lead time in words, as a person would round it: 86400 -> '24 hours', 85800 -> '24 hours',
    3600 -> '1 hour', 1800 -> '30 minutes', 600 -> '10 minutes'."""
    minutes = max(1, round(seconds / 60))
    if minutes < 90 and minutes != 60:
        return f"{minutes} minute{'s' if minutes != 1 else ''}"
    hours = round(minutes / 60)
    return f"{hours} hour{'s' if hours != 1 else ''}"


class Recipients:
    """Time zones of the people told about one change, each user read once."""

    def __init__(self) -> None:
        self._zones: dict[str, str] = {}

    def timezone(self, user_id: str) -> str:
        if user_id not in self._zones:
            try:
                self._zones[user_id] = get_user(user_id).timezone or DEFAULT_TIMEZONE
            except NotFound:
                self._zones[user_id] = DEFAULT_TIMEZONE
        return self._zones[user_id]

    def when(self, user_id: str, iso_utc: str) -> str:
        return local_time(iso_utc, self.timezone(user_id))
