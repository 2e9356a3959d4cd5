"""Shapes of the review routes."""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from peerlearn.text import MultiLine

ReviewText = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000), MultiLine]


class ReviewCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"rating": 5, "text": "Clear and kind."}]}
    )

    rating: Annotated[int, Field(ge=1, le=5)]
    text: ReviewText | None = None


class ReviewEdit(BaseModel):
    model_config = ConfigDict(extra="forbid")

    rating: Annotated[int, Field(ge=1, le=5)] | None = None
    text: ReviewText | None = None


class ReplyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    text: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), MultiLine]


class Reviewer(BaseModel):
    id: str
    name: str
    avatar_url: str | None


class Reply(BaseModel):
    text: str
    created_at: str


class ReviewOut(BaseModel):
    session_id: str
    session_title: str
    learner: Reviewer
    rating: int
    text: str | None
    created_at: str
    edited_at: str | None
    reply: Reply | None


class ReviewPage(BaseModel):
    items: list[ReviewOut]
    next_cursor: str | None
