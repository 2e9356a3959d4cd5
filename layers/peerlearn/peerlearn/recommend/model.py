"""The engine's public face: the contract (what a build takes, what a model answers), the built
`Model` and `build`. numpy only; nothing here knows the table. Import from here; the code lives in
`contract` (dataclasses), `ranking` (Model: the blend, similar, trending, mentors, demand),
`building` (build), `diversity` (the one mentor-spreading rule) and the signal modules.
"""

from __future__ import annotations

from peerlearn.recommend.building import build
from peerlearn.recommend.contract import (
    BuildInput,
    Catalogue,
    Demand,
    Interactions,
    Learner,
    MentorPick,
    MentorProfile,
    Pick,
    Reason,
    ReasonKind,
)
from peerlearn.recommend.ranking import (
    CF_HALF_HISTORY,
    COLD_MENTOR_SIM,
    COLD_SUPPORT,
    CONTENT_FLOOR,
    CONTENT_SHARE,
    F32,
    I32,
    MENTOR_SHARE,
    NEW_SHARE,
    PAGE,
    PER_MENTOR_PER_PAGE,
    PERSONAL_REASON_SHARE,
    POPULAR_TEXT,
    PROFILE_HALF_LIFE_SECONDS,
    RANK_DEPTH,
    RANK_K,
    TAIL_SHARE,
    TREND_SHARE,
    Blend,
    Model,
)

__all__ = [
    "CF_HALF_HISTORY",
    "COLD_MENTOR_SIM",
    "COLD_SUPPORT",
    "CONTENT_FLOOR",
    "CONTENT_SHARE",
    "F32",
    "I32",
    "MENTOR_SHARE",
    "NEW_SHARE",
    "PAGE",
    "PERSONAL_REASON_SHARE",
    "PER_MENTOR_PER_PAGE",
    "POPULAR_TEXT",
    "PROFILE_HALF_LIFE_SECONDS",
    "RANK_DEPTH",
    "RANK_K",
    "TAIL_SHARE",
    "TREND_SHARE",
    "Blend",
    "BuildInput",
    "Catalogue",
    "Demand",
    "Interactions",
    "Learner",
    "MentorPick",
    "MentorProfile",
    "Model",
    "Pick",
    "Reason",
    "ReasonKind",
    "build",
]
