"""Accounts: who people are, how they prove it, and what they tell others about themselves.

`create_admin` is resolved on first use: importing one small module of this package (the
authorizer imports only `authorize` and `tokens`) must not load registration, pydantic shapes and all.
"""

from __future__ import annotations

from typing import Any

__all__ = ["create_admin"]


def __getattr__(name: str) -> Any:
    if name == "create_admin":
        from peerlearn.accounts.registration import create_admin

        return create_admin
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
