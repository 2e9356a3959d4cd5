"""Accounts: who people are, how they prove it, and what they tell others about themselves."""

from peerlearn.accounts.service import create_admin

__all__ = ["create_admin"]
