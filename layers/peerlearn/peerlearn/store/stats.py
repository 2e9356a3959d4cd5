"""Items of the admins' live platform statistics (peerlearn.notify.platform_stats).

- STATS_SUBSCRIBERS / CONN#<connection id>: an admin's user-channel connection that asked for live
  statistics (renewed by the page, expired by `ttl`); a push is one Query on this partition.
- STATS_PUSH / LATEST: when the last push went out: a conditional UpdateItem on it is the throttle.
"""

from __future__ import annotations

from pynamodb.attributes import NumberAttribute, UnicodeAttribute

from peerlearn.store.base import BaseItem


class StatsSubscriberItem(BaseItem, discriminator="STATS_SUBSCRIBER"):
    connection_id = UnicodeAttribute()
    user_id = UnicodeAttribute()
    subscribed_at = NumberAttribute()  # epoch seconds


class StatsPushItem(BaseItem, discriminator="STATS_PUSH"):
    pushed_at = NumberAttribute(null=True)  # epoch seconds of the last push


STATS_MODELS: tuple[type[BaseItem], ...] = (StatsSubscriberItem, StatsPushItem)
