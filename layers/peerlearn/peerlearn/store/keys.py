"""Key builders: the only place item keys are spelled. Parse with removeprefix, never lstrip."""

from __future__ import annotations

USER_PROFILE_SK = "PROFILE"


def user_pk(user_id: str) -> str:
    return f"USER#{user_id}"


def user_id_from_pk(pk: str) -> str:
    return pk.removeprefix("USER#")


def email_pk(email: str) -> str:
    return f"EMAIL#{email}"


def refresh_sk(family_id: str) -> str:
    return f"REFRESH#{family_id}"


REFRESH_PREFIX = "REFRESH#"


def one_time_token_pk(nonce: str) -> str:
    return f"TOKEN#{nonce}"


def rate_pk(scope: str, subject: str) -> str:
    return f"RATE#{scope}#{subject}"


def processed_pk(consumer: str, event_id: str) -> str:
    return f"PROCESSED#{consumer}#{event_id}"


def role_gsi1pk(role: str) -> str:
    return f"ROLE#{role}"
