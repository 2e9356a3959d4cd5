"""Who an admin's broadcast goes to: its audience read as Queries, a page at a time, keeping only the
people who can be told (not banned, not deactivated, not deleted), so they are neither sent to nor
counted.

| audience                  | read                                                            | index |
|---------------------------|-----------------------------------------------------------------|-------|
| everyone/learners/mentors | gsi1pk = ROLE#<role> per role, filter: reachable                | gsi1  |
| tag                       | gsi1pk = ROLE#learner, ROLE#mentor, filter: reachable and       | gsi1  |
|                           | interests contains the tag                                      |       |
| inactive (N days)         | gsi1pk = ROLE#learner, ROLE#mentor, filter: reachable and       | gsi1  |
|                           | last sign-in (or, never signed in, sign-up) before now - N days |       |
| session                   | pk = SESSION#<id>, sk begins_with BOOKING#, filter: confirmed;  | table |
|                           | then BatchGetItem of those learners, kept if reachable          |       |

The tag and inactive audiences read the role partitions whole, with a filter: DynamoDB charges for
every user read, not only the ones kept. That is a bounded Query (never a Scan), done by the stream
a page at a time; counting one for a preview reads the partitions once. A per-tag index of people
(an item per interest) would make the tag audience read only its members; it isn't needed at
PeerLearn's size and would be one more thing every profile edit keeps in step.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from peerlearn.store.keys import BOOKING_PREFIX, USER_PROFILE_SK, role_gsi1pk, session_pk, user_pk
from peerlearn.store.models import BookingItem, UserItem

ROLES: dict[str, tuple[str, ...]] = {
    "everyone": ("learner", "mentor", "admin"),
    "learners": ("learner",),
    "mentors": ("mentor",),
    "tag": ("learner", "mentor"),
    "inactive": ("learner", "mentor"),
}


def reachable(user: UserItem) -> bool:
    """A person a broadcast may tell: not banned, not deactivated, not deleted."""
    return not (user.banned or user.deactivated or user.deleted_at)


def _reachable_condition() -> Any:
    # Items written before an attribute existed lack it: missing counts as False.
    banned = (UserItem.banned == False) | UserItem.banned.does_not_exist()  # noqa: E712 - a condition
    deactivated = (UserItem.deactivated == False) | UserItem.deactivated.does_not_exist()  # noqa: E712
    return banned & deactivated & UserItem.deleted_at.does_not_exist()


@dataclass(frozen=True)
class Segment:
    audience: str
    session_id: str | None = None
    tag: str | None = None
    inactive_since: str | None = None  # ISO; audience "inactive"

    def parts(self) -> list[Part]:
        if self.audience == "session":
            return [Part(self)]
        return [Part(self, role) for role in ROLES[self.audience]]

    def count(self) -> int:
        return sum(part.count() for part in self.parts())

    def first(self) -> UserItem | None:
        """The audience's first person (the preview's sample), or None when it is empty."""
        for part in self.parts():
            found, _ = part.page(None, 1)
            if found:
                return found[0]
        return None


@dataclass(frozen=True)
class Part:
    """One Query's worth of an audience: the users of one role, or one session's confirmed bookings."""

    segment: Segment
    role: str | None = None

    def _filter(self) -> Any:
        condition = _reachable_condition()
        if self.segment.audience == "tag":
            condition &= UserItem.interests.contains(str(self.segment.tag))
        elif self.segment.audience == "inactive":
            since = str(self.segment.inactive_since)
            never = UserItem.last_signed_in_at.does_not_exist() & (UserItem.created_at < since)
            condition &= (UserItem.last_signed_in_at < since) | never
        return condition

    def _bookings(self, start: dict[str, Any] | None, limit: int | None) -> Any:
        return BookingItem.query(
            session_pk(str(self.segment.session_id)),
            BookingItem.sk.startswith(BOOKING_PREFIX),
            filter_condition=BookingItem.status == "confirmed",
            limit=limit,
            last_evaluated_key=start,
        )

    def page(self, start: dict[str, Any] | None, limit: int) -> tuple[list[UserItem], dict[str, Any] | None]:
        """Up to `limit` people from `start` (a Query's last key), and the key the next page starts at
        (None at the end). A session's page may hold fewer: its unreachable attendees are dropped."""
        if self.role is not None:
            result = UserItem.by_role.query(
                role_gsi1pk(self.role), filter_condition=self._filter(), limit=limit, last_evaluated_key=start
            )
            return list(result), result.last_evaluated_key
        result = self._bookings(start, limit)
        learner_ids = [str(booking.learner_id) for booking in result]
        return _reachable_users(learner_ids), result.last_evaluated_key

    def count(self) -> int:
        if self.role is not None:
            return int(UserItem.by_role.count(role_gsi1pk(self.role), filter_condition=self._filter()))
        learner_ids = [str(booking.learner_id) for booking in self._bookings(None, None)]
        return len(_reachable_users(learner_ids))


def _reachable_users(user_ids: list[str]) -> list[UserItem]:
    """The reachable ones of `user_ids`, in that order (one BatchGetItem per 100)."""
    found: dict[str, UserItem] = {}
    for chunk in _chunks(list(dict.fromkeys(user_ids)), 100):
        for user in UserItem.batch_get([(user_pk(user_id), USER_PROFILE_SK) for user_id in chunk]):
            found[str(user.id)] = user
    return [found[user_id] for user_id in user_ids if user_id in found and reachable(found[user_id])]


def _chunks(values: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]
