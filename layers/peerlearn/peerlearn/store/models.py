"""Item models of the single table. `entity` tells the item type (and drives stream filters)."""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    DiscriminatorAttribute,
    ListAttribute,
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


class BaseItem(Model):
    class Meta:
        table_name = "unbound"  # peerlearn.store.bind() sets the real name at cold start
        region = "ap-south-1"
        host: str | None = None

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    entity = DiscriminatorAttribute()
    ttl = NumberAttribute(null=True)  # epoch seconds; DynamoDB deletes the item some time after


class UserItem(BaseItem, discriminator="USER"):
    id = UnicodeAttribute()
    email = UnicodeAttribute()
    name = UnicodeAttribute()
    role = UnicodeAttribute()
    password_hash = UnicodeAttribute()
    email_verified = BooleanAttribute(default=False)
    banned = BooleanAttribute(default=False)
    headline = UnicodeAttribute(null=True)
    bio = UnicodeAttribute(null=True)
    skills = ListAttribute(of=UnicodeAttribute, default=list)
    interests = ListAttribute(of=UnicodeAttribute, default=list)
    languages = ListAttribute(of=UnicodeAttribute, default=list)
    expertise = ListAttribute(of=UnicodeAttribute, default=list)
    timezone = UnicodeAttribute(default="Asia/Kolkata")
    avatar_key = UnicodeAttribute(null=True)
    created_at = UnicodeAttribute()
    updated_at = UnicodeAttribute()
    # Access tokens issued before this epoch second are refused (password change, sign out everywhere).
    sessions_valid_after = NumberAttribute(default=0)
    gsi1pk = UnicodeAttribute()
    gsi1sk = UnicodeAttribute()
    by_role = Gsi1()


class EmailClaimItem(BaseItem, discriminator="EMAIL"):
    """Makes an email address unique: written in the same transaction as the user."""

    user_id = UnicodeAttribute()


class RefreshFamilyItem(BaseItem, discriminator="REFRESH"):
    """One signed-in device: the hash of its current refresh token; older tokens are reuse."""

    user_id = UnicodeAttribute()
    family_id = UnicodeAttribute()
    token_hash = UnicodeAttribute()
    created_at = UnicodeAttribute()
    rotated_at = UnicodeAttribute()
    expires_at = NumberAttribute()
    revoked = BooleanAttribute(default=False)
    revoked_reason = UnicodeAttribute(null=True)


class OneTimeTokenItem(BaseItem, discriminator="TOKEN"):
    """Exists while an emailed link is unused; consuming the link deletes it (conditionally)."""

    purpose = UnicodeAttribute()
    user_id = UnicodeAttribute()
    expires_at = NumberAttribute()


class RateWindowItem(BaseItem, discriminator="RATE"):
    hits = NumberAttribute(default=0)  # not "count": that would hide Model.count()


class ProcessedEventItem(BaseItem, discriminator="PROCESSED"):
    """Marks a stream record as handled so a redelivered batch does nothing twice."""


ALL_MODELS: tuple[type[BaseItem], ...] = (
    BaseItem,
    UserItem,
    EmailClaimItem,
    RefreshFamilyItem,
    OneTimeTokenItem,
    RateWindowItem,
    ProcessedEventItem,
)
