"""/api/me and /api/users/{id}: own profile, public profiles, avatar upload URLs."""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router

from peerlearn.accounts import profiles
from peerlearn.accounts.schemas import (
    AvatarUploadRequest,
    AvatarUploadResponse,
    Me,
    PublicProfile,
    UpdateMeRequest,
)
from peerlearn.api import SECURED, CallerDep, ContextDep
from peerlearn.feedback.aggregates import mentor_summary

router = Router()


@router.get("/api/me", summary="Your own profile", tags=["users"], security=SECURED)
def get_me(who: CallerDep, ctx: ContextDep) -> Me:
    return profiles.get_me(ctx, user_id=who.user_id)


@router.patch(
    "/api/me", summary="Change your profile (only the fields sent)", tags=["users"], security=SECURED
)
def update_me(body: UpdateMeRequest, who: CallerDep, ctx: ContextDep) -> Me:
    return profiles.update_me(ctx, user_id=who.user_id, changes=body)


@router.post(
    "/api/me/avatar", summary="Get a URL to upload a profile picture", tags=["users"], security=SECURED
)
def avatar_upload(body: AvatarUploadRequest, who: CallerDep, ctx: ContextDep) -> AvatarUploadResponse:
    return profiles.create_avatar_upload(
        ctx, user_id=who.user_id, content_type=body.content_type, size_bytes=body.size_bytes
    )


@router.get(
    "/api/users/<user_id>", summary="Someone's public profile (mentors: with rating stats)", tags=["users"]
)
def get_user(user_id: str, ctx: ContextDep) -> PublicProfile:
    profile = profiles.get_public_profile(ctx, user_id=user_id)
    if profile.role == "mentor":
        profile.mentor_stats = mentor_summary(user_id)
    return profile
