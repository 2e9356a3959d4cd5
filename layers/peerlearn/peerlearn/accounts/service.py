"""The accounts domain's front door for callers outside it (routes, stream reactions, seed, CLI).

The work is done in registration, signins, links and admin; this facade only names it.
"""

from __future__ import annotations

from peerlearn.accounts.limits import ACCOUNT_DELAY, LOGIN_PER_CLIENT
from peerlearn.accounts.links import (
    on_user_created,
    request_password_reset,
    resend_verification,
    reset_password,
    verify_email,
)
from peerlearn.accounts.lookups import find_user_by_email, get_user
from peerlearn.accounts.registration import create_account, create_admin, register
from peerlearn.accounts.signins import (
    SignedIn,
    change_password,
    end_all_sign_ins,
    login,
    logout,
    refresh,
    sign_in_without_password,
)

__all__ = [
    "ACCOUNT_DELAY",
    "LOGIN_PER_CLIENT",
    "SignedIn",
    "change_password",
    "create_account",
    "create_admin",
    "end_all_sign_ins",
    "find_user_by_email",
    "get_user",
    "login",
    "logout",
    "on_user_created",
    "refresh",
    "register",
    "request_password_reset",
    "resend_verification",
    "reset_password",
    "sign_in_without_password",
    "verify_email",
]
