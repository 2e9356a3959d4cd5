"""Request and response shapes of the account routes; the OpenAPI document is generated from these."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AfterValidator, ConfigDict, EmailStr, Field, StringConstraints

from peerlearn.fields import Tag, Timezone
from peerlearn.shapes import Shape
from peerlearn.text import MultiLine, SingleLine

# Control characters are refused (peerlearn.text), never stored: a bio may have several lines.
Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80), SingleLine]
Headline = Annotated[str, StringConstraints(strip_whitespace=True, max_length=120), SingleLine]
Bio = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000), MultiLine]
Password = Annotated[str, StringConstraints(min_length=1, max_length=200), SingleLine]
Token = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=2000), SingleLine]
Email = Annotated[EmailStr, StringConstraints(max_length=254), AfterValidator(lambda e: e.lower())]


class _Input(Shape):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)


class RegisterRequest(_Input):
    name: Name
    email: Email
    password: Password
    role: Literal["learner", "mentor"] = "learner"
    headline: Headline | None = Field(default=None, description="Mentors: one line about what you teach.")
    expertise: list[Tag] = Field(default_factory=list, max_length=10, description="Mentors: 1-10 topics.")
    interests: list[Tag] = Field(
        default_factory=list,
        max_length=20,
        description="Learners: 0-20 topics to follow; the first recommendations come from these.",
    )

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "name": "Asha Rao",
                    "email": "asha@example.com",
                    "password": "mango-monsoon-42",
                    "role": "learner",
                    "interests": ["Python", "System design"],
                },
                {
                    "name": "Vikram Iyer",
                    "email": "vikram@example.com",
                    "password": "tea-at-4pm-always",
                    "role": "mentor",
                    "headline": "Staff engineer, 12 years of Python",
                    "expertise": ["Python", "System design"],
                },
            ]
        },
    )


class LoginRequest(_Input):
    email: Email
    password: Password

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"email": "asha@example.com", "password": "mango-monsoon-42"}]},
    )


class VerifyEmailRequest(_Input):
    token: Token


class PasswordResetRequest(_Input):
    email: Email


class PasswordResetConfirmRequest(_Input):
    token: Token
    new_password: Password


class ChangePasswordRequest(_Input):
    current_password: Password
    new_password: Password


class UpdateMeRequest(_Input):
    """Only the fields sent are changed; `null` clears an optional text field."""

    name: Name | None = None
    headline: Headline | None = None
    bio: Bio | None = None
    skills: list[Tag] | None = Field(default=None, max_length=20)
    interests: list[Tag] | None = Field(default=None, max_length=20)
    languages: list[Tag] | None = Field(default=None, max_length=10)
    expertise: list[Tag] | None = Field(default=None, max_length=10)
    timezone: Timezone | None = None
    avatar_key: Annotated[str, StringConstraints(max_length=200)] | None = None

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"headline": "Learning Rust", "skills": ["Python"], "timezone": "Asia/Kolkata"}]
        },
    )


class AvatarUploadRequest(_Input):
    content_type: Literal["image/png", "image/jpeg", "image/webp"]
    size_bytes: int = Field(gt=0, le=2_000_000)


Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500), MultiLine]


class BanRequest(_Input):
    reason: Reason

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "Spam in session descriptions"}]}
    )


class ReasonRequest(_Input):
    """Why an admin changes someone's access (deactivate, activate): kept in the audit log."""

    reason: Reason

    model_config = ConfigDict(
        extra="forbid", json_schema_extra={"examples": [{"reason": "Asked us to close the account"}]}
    )


class VerifyRequest(_Input):
    reason: Reason | None = None


class RoleChangeRequest(_Input):
    role: Literal["learner", "mentor", "admin"]
    reason: Reason

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"role": "mentor", "reason": "Passed the mentor review"}]},
    )


class AdminProfileChanges(_Input):
    """An admin's edit of someone's profile: the profile's own fields and checks (UpdateMeRequest),
    only the fields sent are changed, `null` clears an optional one; an avatar can only be removed."""

    name: Name | None = None
    headline: Headline | None = None
    bio: Bio | None = None
    skills: list[Tag] | None = Field(default=None, max_length=20)
    interests: list[Tag] | None = Field(default=None, max_length=20)
    languages: list[Tag] | None = Field(default=None, max_length=10)
    expertise: list[Tag] | None = Field(default=None, max_length=10)
    timezone: Timezone | None = None
    avatar_key: None = Field(default=None, description="Send null to remove the picture.")
    reason: Reason | None = None

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"bio": None, "reason": "Phone number in the bio"}]},
    )


# ---------------------------------------------------------------- responses
class MentorStats(Shape):
    rating_average: float | None
    rating_count: int
    rating_distribution: dict[str, int]
    sessions_taught: int


class PublicProfile(Shape):
    id: str
    name: str
    role: Literal["learner", "mentor", "admin"]
    headline: str | None
    bio: str | None
    skills: list[str]
    interests: list[str]
    languages: list[str]
    expertise: list[str]
    avatar_url: str | None
    created_at: str
    mentor_stats: MentorStats | None = None


class Me(PublicProfile):
    email: str
    email_verified: bool
    timezone: str


class SignInResponse(Shape):
    """The refresh token is never in the body: it travels only in the HttpOnly `pl_refresh` cookie."""

    access_token: str
    token_type: Literal["Bearer"] = "Bearer"
    expires_in: int
    first_sign_in: bool = Field(
        default=False, description="True on the account's very first successful sign-in."
    )
    user: Me


class RegisterResponse(Shape):
    user: Me
    message: str


class MessageResponse(Shape):
    message: str


class AvatarUploadResponse(Shape):
    upload_url: str
    method: Literal["PUT"] = "PUT"
    headers: dict[str, str]
    avatar_key: str


class AdminUser(Shape):
    id: str
    name: str
    email: str
    role: Literal["learner", "mentor", "admin"]
    email_verified: bool
    banned: bool
    ban_reason: str | None
    banned_at: str | None
    deactivated: bool = False
    deactivation_reason: str | None = None
    deleted: bool = False  # erased at its owner's request (or an admin's): nothing more can be done to it
    created_at: str
    avatar_url: str | None
    headline: str | None


class AdminUserPage(Shape):
    items: list[AdminUser]
    next_cursor: str | None
