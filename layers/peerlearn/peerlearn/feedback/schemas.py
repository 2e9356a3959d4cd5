"""Shapes of the review routes."""

from __future__ import annotations

from typing import Annotated

from pydantic import ConfigDict, Field, StringConstraints

from peerlearn.shapes import Shape
from peerlearn.text import MultiLine

ReviewText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000), MultiLine]


class ReviewCreate(Shape):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"rating": 5, "text": "Clear and kind."}]}
    )

    rating: Annotated[int, Field(ge=1, le=5)]
    text: ReviewText | None = None


class ReviewEdit(Shape):
    model_config = ConfigDict(extra="forbid")

    rating: Annotated[int, Field(ge=1, le=5)] | None = None
    text: ReviewText | None = None


class ReplyCreate(Shape):
    model_config = ConfigDict(extra="forbid")

    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), MultiLine]


class Reviewer(Shape):
    id: str
    name: str
    avatar_url: str | None


class Reply(Shape):
    text: str
    created_at: str


class ReviewOut(Shape):
    session_id: str
    session_title: str
    learner: Reviewer
    rating: int
    text: str | None
    created_at: str
    edited_at: str | None
    reply: Reply | None


class ReviewPage(Shape):
    items: list[ReviewOut]
    next_cursor: str | None
