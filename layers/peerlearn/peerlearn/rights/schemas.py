"""Request and response shapes of the data-rights routes."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints

from peerlearn.accounts.schemas import Reason
from peerlearn.shapes import Shape
from peerlearn.text import SingleLine

Password = Annotated[str, StringConstraints(min_length=1, max_length=200), SingleLine]


class DeleteAccountRequest(Shape):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"password": "mango-monsoon-42", "confirm": "DELETE"}]},
    )

    password: Password = Field(description="Your current password.")
    confirm: Literal["DELETE"] = Field(description='The word "DELETE", so no click deletes by accident.')


class AdminDeleteAccountRequest(Shape):
    """An admin deletes someone's account for them (a banned or deactivated person can't sign in to
    do it): the same erasure as their own, recorded as their request and audited."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"reason": "Asked by email (ticket 4512)", "confirm": "DELETE"}]},
    )

    reason: Reason = Field(description="Why, without personal data: it stays in the audit log.")
    confirm: Literal["DELETE"] = Field(description='The word "DELETE", so no click deletes by accident.')


class DataRequestOut(Shape):
    id: str
    user_id: str
    kind: Literal["export", "deletion"]
    status: Literal["waiting_admin", "completed"]
    requested_at: str
    completed_at: str | None = None
    completed_by: str | None = None
    waiting_for: str | None = Field(default=None, description="What an admin must settle first.")
    summary: str | None = None


class DataRequestPage(Shape):
    items: list[DataRequestOut]


class AccountDeleted(Shape):
    request: DataRequestOut
    bookings_cancelled: int
    sessions_cancelled: int
    message: str
