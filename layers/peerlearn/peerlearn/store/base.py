"""The table's item base (keys, type, TTL), its indexes, and attributes several item types share."""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    DiscriminatorAttribute,
    NumberAttribute,
    UnicodeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model


class Gsi1(GlobalSecondaryIndex[Any]):
    class Meta:
        index_name = "gsi1"
        projection = AllProjection()

    gsi1pk = UnicodeAttribute(hash_key=True)
    gsi1sk = UnicodeAttribute(range_key=True)


class Gsi2(GlobalSecondaryIndex[Any]):
    class Meta:
        index_name = "gsi2"
        projection = AllProjection()

    gsi2pk = UnicodeAttribute(hash_key=True)
    gsi2sk = UnicodeAttribute(range_key=True)


def _open_index(
    name: str, sort_attribute: UnicodeAttribute | NumberAttribute
) -> type[GlobalSecondaryIndex[Any]]:
    """A sparse discovery index: only bookable sessions carry `open`; one index per sort order."""

    class Meta:
        index_name = name
        projection = AllProjection()

    attributes = {
        "Meta": Meta,
        "open": UnicodeAttribute(hash_key=True),
        sort_attribute.attr_name: sort_attribute,
    }
    return type(f"Index_{name}", (GlobalSecondaryIndex,), attributes)


OpenByStart = _open_index("open_by_start", UnicodeAttribute(range_key=True, attr_name="starts_at"))
OpenByPrice = _open_index("open_by_price", NumberAttribute(range_key=True, attr_name="price_paise"))
OpenByRating = _open_index("open_by_rating", NumberAttribute(range_key=True, attr_name="mentor_rating"))
OpenByPopularity = _open_index(
    "open_by_popularity", NumberAttribute(range_key=True, attr_name="booked_count")
)


class BaseItem(Model):
    class Meta:
        table_name = "unbound"  # peerlearn.store.bind() sets the real name at cold start
        region = "ap-south-1"
        host: str | None = None

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    entity = DiscriminatorAttribute()
    ttl = NumberAttribute(null=True)  # epoch seconds; DynamoDB deletes the item some time after

    @classmethod
    def upsert_actions(cls, actions: list[Any]) -> list[Any]:
        """Update actions that may create the item (ADD on a missing item): they must also write its
        type, or polymorphic reads (batch gets of mixed items) can't tell what it is."""
        return [cls.entity.set(cls), *actions]


class RatingTotals:
    """Rating aggregates kept on sessions and on mentors: sum, count and the 1-5 distribution."""

    rating_sum = NumberAttribute(default=0)
    rating_count = NumberAttribute(default=0)
    rating_1 = NumberAttribute(default=0)
    rating_2 = NumberAttribute(default=0)
    rating_3 = NumberAttribute(default=0)
    rating_4 = NumberAttribute(default=0)
    rating_5 = NumberAttribute(default=0)
