"""The base of every request and response model: a model is built when first used, not at import.

Building a model's validator and serializer takes about a millisecond; a REST function defines
dozens and a request uses two or three, so building them all made a fifth of its cold start.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class Shape(BaseModel):
    # Subclasses' own model_config is merged with this one, so they keep deferring.
    model_config = ConfigDict(defer_build=True)
