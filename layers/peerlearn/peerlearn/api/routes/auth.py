"""/api/auth/*: register, sign in and out, refresh, email verification, password reset and change."""

from __future__ import annotations

from http.cookies import SimpleCookie
from typing import Any

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.shared.cookies import Cookie, SameSite

from peerlearn.accounts import devices, service
from peerlearn.accounts.schemas import (
    ChangePasswordRequest,
    LoginRequest,
    MessageResponse,
    PasswordResetConfirmRequest,
    PasswordResetRequest,
    RegisterRequest,
    RegisterResponse,
    SignInResponse,
    VerifyEmailRequest,
)
from peerlearn.accounts.tokens import REFRESH_TTL_SECONDS
from peerlearn.api import SECURED, CallerDep, ClientDep, ContextDep
from peerlearn.context import Context
from peerlearn.errors import Unauthorized

router = Router()

REFRESH_COOKIE = "pl_refresh"
_COOKIE_PATH = "/api/auth"


def _cookie(name: str, value: str, *, secure: bool, max_age: int) -> Cookie:
    # HttpOnly (no script reads it), SameSite=Strict (no other site sends it), only to /api/auth.
    return Cookie(
        name=name,
        value=value,
        path=_COOKIE_PATH,
        secure=secure,
        http_only=True,
        max_age=max_age,
        same_site=SameSite.STRICT_MODE,
    )


def _refresh_cookie(value: str, *, secure: bool, max_age: int) -> Cookie:
    return _cookie(REFRESH_COOKIE, value, secure=secure, max_age=max_age)


def _signed_in(ctx: Context, result: service.SignedIn) -> Response[SignInResponse]:
    # The refresh token goes only into the HttpOnly cookie: no script on the page can read it.
    body = SignInResponse(
        access_token=result.access_token,
        expires_in=result.expires_in,
        first_sign_in=result.first_sign_in,
        user=result.user,
    )
    secure = ctx.settings.cookie_secure
    cookies = [_refresh_cookie(result.refresh_token, secure=secure, max_age=REFRESH_TTL_SECONDS)]
    if result.device_cookie:
        cookies.append(
            _cookie(
                devices.COOKIE_NAME,
                result.device_cookie,
                secure=secure,
                max_age=devices.COOKIE_MAX_AGE_SECONDS,
            )
        )
    return Response(200, content_types.APPLICATION_JSON, body, cookies=cookies)


def _presented_cookie(name: str) -> str | None:
    header = router.current_event.headers.get("cookie") or ""
    jar: SimpleCookie = SimpleCookie()
    try:
        jar.load(header)
    except Exception:  # a malformed Cookie header is the same as none
        return None
    morsel = jar.get(name)
    return morsel.value if morsel else None


def _presented_refresh_token() -> str | None:
    return _presented_cookie(REFRESH_COOKIE)


@router.post(
    "/api/auth/register",
    summary="Create a learner or mentor account",
    description="At most 20 sign-ups an hour from one client and 3 attempts an hour for one email "
    "address: 429 with Retry-After.",
    tags=["auth"],
)
def register(body: RegisterRequest, ctx: ContextDep, client: ClientDep) -> Response[RegisterResponse]:
    me = service.register(ctx, body, client_ip=client)
    message = f"Welcome to PeerLearn! We've sent a link to {me.email} to confirm your address."
    return Response(201, content_types.APPLICATION_JSON, RegisterResponse(user=me, message=message))


@router.post(
    "/api/auth/login",
    summary="Sign in",
    description="Returns a 15-minute access token and sets a rotating refresh token cookie and a "
    "device cookie. After 5 failures for an account each further attempt waits longer (30 s doubling "
    "to 15 min), except from a device that signed in to it before; 20 failures from one client in "
    "15 minutes: 429 with Retry-After.",
    tags=["auth"],
)
def login(body: LoginRequest, ctx: ContextDep, client: ClientDep) -> Response[SignInResponse]:
    result = service.login(
        ctx,
        email=body.email,
        password=body.password,
        client_ip=client,
        device_cookie=_presented_cookie(devices.COOKIE_NAME),
    )
    return _signed_in(ctx, result)


@router.post(
    "/api/auth/refresh",
    summary="Exchange the refresh cookie for a new access token (and a rotated cookie)",
    tags=["auth"],
)
def refresh(ctx: ContextDep) -> Response[SignInResponse]:
    token = _presented_refresh_token()
    if not token:
        raise Unauthorized("Sign in to continue.", code="signed_out")
    return _signed_in(ctx, service.refresh(ctx, refresh_token=token))


@router.post(
    "/api/auth/logout",
    summary="Sign out this device",
    description="Ends the sign-in of the refresh cookie and of the bearer token sent with the call, "
    "and with it every access token of that sign-in.",
    tags=["auth"],
)
def logout(ctx: ContextDep) -> Response[MessageResponse]:
    scheme, _, bearer = (router.current_event.headers.get("authorization") or "").partition(" ")
    service.logout(
        ctx,
        refresh_token=_presented_refresh_token(),
        access_token=bearer.strip() if scheme.lower() == "bearer" else None,
    )
    expired = _refresh_cookie("", secure=ctx.settings.cookie_secure, max_age=0)
    return Response(
        200, content_types.APPLICATION_JSON, MessageResponse(message="Signed out."), cookies=[expired]
    )


@router.post(
    "/api/auth/verify-email", summary="Confirm an email address with the emailed token", tags=["auth"]
)
def verify_email(body: VerifyEmailRequest, ctx: ContextDep) -> dict[str, Any]:
    me = service.verify_email(ctx, token=body.token)
    return {"user": me.model_dump(), "message": "Your email is verified."}


@router.post(
    "/api/auth/verify-email/resend",
    summary="Send the verification link again",
    tags=["auth"],
    security=SECURED,
)
def resend_verification(who: CallerDep, ctx: ContextDep) -> Response[MessageResponse]:
    service.resend_verification(ctx, user_id=who.user_id)
    return Response(
        202, content_types.APPLICATION_JSON, MessageResponse(message="We've sent you a new link.")
    )


@router.post("/api/auth/password-reset", summary="Email a password reset link", tags=["auth"])
def password_reset(
    body: PasswordResetRequest, ctx: ContextDep, client: ClientDep
) -> Response[MessageResponse]:
    service.request_password_reset(ctx, email=body.email, client_ip=client)
    message = "If an account exists for that email, we've sent a link to reset the password."
    return Response(202, content_types.APPLICATION_JSON, MessageResponse(message=message))


@router.post(
    "/api/auth/password-reset/confirm", summary="Set a new password with the emailed token", tags=["auth"]
)
def password_reset_confirm(body: PasswordResetConfirmRequest, ctx: ContextDep) -> MessageResponse:
    service.reset_password(ctx, token=body.token, new_password=body.new_password)
    return MessageResponse(message="Your password has been changed. Sign in with the new one.")


@router.post(
    "/api/auth/change-password",
    summary="Change the password; every other device is signed out",
    tags=["auth"],
    security=SECURED,
)
def change_password(body: ChangePasswordRequest, who: CallerDep, ctx: ContextDep) -> Response[SignInResponse]:
    result = service.change_password(
        ctx,
        user_id=who.user_id,
        current_password=body.current_password,
        new_password=body.new_password,
    )
    return _signed_in(ctx, result)
