"""Password hashing (scrypt, memory-hard) and the strength rule, with messages a person can act on."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os

from peerlearn.errors import BadRequest

# 2**15 * 8 * 128 bytes = 32 MiB of memory per hash: expensive to brute-force, ~0.1 s here.
_SCRYPT_LOG2_N = 15
_SCRYPT_R = 8
_SCRYPT_P = 1
_MAXMEM = 64 * 1024 * 1024
MIN_LENGTH = 10
MAX_LENGTH = 128

_COMMON = frozenset(
    """password password1 password12 password123 password1234 passw0rd123 qwertyuiop qwerty1234
    qwerty12345 1234567890 0123456789 1q2w3e4r5t 1qaz2wsx3edc abcdefghij abc1234567 iloveyou12
    welcome123 letmein123 admin12345 administrator changeme123 football123 baseball12 sunshine12
    princess12 dragon1234 monkey1234 superman12 trustno1234 starwars12 computer12 whatever12
    peerlearn1 peerlearn123 india12345 bharat1234 cricket123 mumbai1234 delhi12345 zaq12wsxcde""".split()
)


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def hash_password(password: str) -> str:
    salt = os.urandom(16)
    digest = hashlib.scrypt(
        password.encode(), salt=salt, n=2**_SCRYPT_LOG2_N, r=_SCRYPT_R, p=_SCRYPT_P, maxmem=_MAXMEM, dklen=32
    )
    return f"scrypt${_SCRYPT_LOG2_N}${_SCRYPT_R}${_SCRYPT_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, encoded: str) -> bool:
    try:
        scheme, log2_n, r, p, salt, digest = encoded.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(
        password.encode()[: MAX_LENGTH * 4],
        salt=base64.b64decode(salt),
        n=2 ** int(log2_n),
        r=int(r),
        p=int(p),
        maxmem=_MAXMEM,
        dklen=32,
    )
    return hmac.compare_digest(candidate, base64.b64decode(digest))


# Verifying against this when an account does not exist keeps sign-in timing the same either way
# (a constant, so importing this module costs no hashing at cold start).
DUMMY_HASH = "scrypt$15$8$1$2aBwJwgHMUXRjP7XlZs0pg==$KYLg1TRFHeOHbbT84EQ8iSd1Smh/drRATTDabGWRgr8="


def check_strength(password: str, *, email: str, field: str = "password") -> None:
    """Raises BadRequest(code="weak_password") with the first rule the password breaks."""

    def weak(message: str) -> BadRequest:
        return BadRequest(message, code="weak_password", field=field)

    if len(password) < MIN_LENGTH:
        raise weak(f"Use at least {MIN_LENGTH} characters.")
    if len(password) > MAX_LENGTH:
        raise weak(f"Use at most {MAX_LENGTH} characters.")
    if not any(c.isalpha() for c in password):
        raise weak("Include at least one letter.")
    if not any(not c.isalpha() for c in password):
        raise weak("Include at least one digit or symbol.")
    local_part = email.split("@", 1)[0].lower()
    if len(local_part) >= 3 and local_part in password.lower():
        raise weak("Don't use your email address in your password.")
    if password.lower() in _COMMON:
        raise weak("This password is too common. Choose something less guessable.")
