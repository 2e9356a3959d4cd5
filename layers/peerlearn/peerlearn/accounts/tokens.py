"""Access tokens (JWT, 15 min), refresh tokens (opaque, rotating) and signed single-use link tokens."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from types import ModuleType
from typing import Any, Literal

from peerlearn import clock, ids
from peerlearn.errors import BadRequest, Unauthorized

ISSUER = "peerlearn"
ACCESS_AUDIENCE = "peerlearn-api"
ACCESS_TTL_SECONDS = 15 * 60
REFRESH_TTL_SECONDS = 30 * 24 * 3600
LinkPurpose = Literal["verify-email", "password-reset"]
LINK_TTL_SECONDS: dict[LinkPurpose, int] = {"verify-email": 48 * 3600, "password-reset": 3600}
_REFRESH_VERSION = "rt1"


@dataclass(frozen=True)
class AccessClaims:
    """`version` is the user's token version when issued (a password change, reset or ban bumps it);
    `sign_in_id` is the refresh family the token belongs to (signing out revokes it). Both are
    compared exactly, so revocation does not depend on clock precision."""

    user_id: str
    role: str
    issued_at: int
    version: int
    sign_in_id: str


def _jwt() -> ModuleType:
    """pyjwt, imported when a token is made or read: it imports `cryptography` when that is installed
    (the layer has it for payout sealing), ~20 ms that the functions which never touch a JWT (admin,
    payments, streams: they only end sign-ins) should not pay at cold start."""
    import jwt

    return jwt


# Times are checked against peerlearn.clock, not pyjwt's wall clock: the local stack can move its
# clock forward, and pyjwt would then refuse a token issued "in the future" (iat) or keep one alive.
def _expired(expires_at: int) -> bool:
    return expires_at <= clock.now_seconds()  # pyjwt's rule too: expired at exp, not after it


def issue_access_token(
    secret: str, *, user_id: str, role: str, version: int, sign_in_id: str, now: int | None = None
) -> str:
    now = clock.now_seconds() if now is None else now
    claims = {
        "iss": ISSUER,
        "aud": ACCESS_AUDIENCE,
        "sub": user_id,
        "role": role,
        "ver": version,
        "sid": sign_in_id,
        "iat": now,
        "exp": now + ACCESS_TTL_SECONDS,
        "jti": ids.new_id(),
    }
    return str(_jwt().encode(claims, secret, algorithm="HS256"))


def read_access_token(secret: str, token: str, *, verify_expiry: bool = True) -> AccessClaims:
    jwt = _jwt()
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            audience=ACCESS_AUDIENCE,
            issuer=ISSUER,
            options={
                "require": ["sub", "role", "ver", "sid", "iat", "exp"],
                "verify_exp": False,  # checked below, against peerlearn.clock
                "verify_iat": False,
                "verify_nbf": False,
            },
        )
        version, sign_in_id = int(claims["ver"]), str(claims["sid"])
        expires_at = int(claims["exp"])
    except (jwt.PyJWTError, TypeError, ValueError) as exc:
        raise Unauthorized("The access token is not valid.", code="invalid_token") from exc
    if verify_expiry and _expired(expires_at):
        raise Unauthorized("Your sign-in has expired.", code="token_expired")
    if not ids.is_id(sign_in_id):
        raise Unauthorized("The access token is not valid.", code="invalid_token")
    return AccessClaims(
        user_id=str(claims["sub"]),
        role=str(claims["role"]),
        issued_at=int(claims["iat"]),
        version=version,
        sign_in_id=sign_in_id,
    )


# ---------------------------------------------------------------- refresh tokens
@dataclass(frozen=True)
class RefreshToken:
    user_id: str
    family_id: str
    value: str

    @property
    def hash(self) -> str:
        return hash_refresh_token(self.value)


def hash_refresh_token(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def new_refresh_token(user_id: str, family_id: str) -> RefreshToken:
    value = f"{_REFRESH_VERSION}.{user_id}.{family_id}.{secrets.token_urlsafe(32)}"
    return RefreshToken(user_id=user_id, family_id=family_id, value=value)


def parse_refresh_token(value: str) -> RefreshToken:
    parts = value.split(".")
    if len(parts) != 4 or parts[0] != _REFRESH_VERSION or not ids.is_id(parts[1]) or not ids.is_id(parts[2]):
        raise Unauthorized("The refresh token is not valid. Sign in again.", code="invalid_token")
    return RefreshToken(user_id=parts[1], family_id=parts[2], value=value)


# ---------------------------------------------------------------- emailed link tokens
@dataclass(frozen=True)
class LinkToken:
    user_id: str
    nonce: str
    expires_at: int


def issue_link_token(
    secret: str, purpose: LinkPurpose, user_id: str, now: int | None = None
) -> tuple[str, LinkToken]:
    now = clock.now_seconds() if now is None else now
    link = LinkToken(
        user_id=user_id, nonce=secrets.token_urlsafe(18), expires_at=now + LINK_TTL_SECONDS[purpose]
    )
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": f"peerlearn-{purpose}",
        "sub": user_id,
        "jti": link.nonce,
        "iat": now,
        "exp": link.expires_at,
    }
    return str(_jwt().encode(claims, secret, algorithm="HS256")), link


def read_link_token(secret: str, purpose: LinkPurpose, token: str) -> LinkToken:
    jwt = _jwt()
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=["HS256"],
            audience=f"peerlearn-{purpose}",
            issuer=ISSUER,
            options={
                "require": ["sub", "jti", "exp"],
                "verify_exp": False,  # checked below, against peerlearn.clock
                "verify_iat": False,
                "verify_nbf": False,
            },
        )
        expires_at = int(claims["exp"])
    except (jwt.PyJWTError, TypeError, ValueError) as exc:
        raise BadRequest("This link is not valid.", code="invalid_token", field="token") from exc
    if _expired(expires_at):
        raise BadRequest("This link has expired. Ask for a new one.", code="token_expired", field="token")
    return LinkToken(user_id=str(claims["sub"]), nonce=str(claims["jti"]), expires_at=expires_at)
