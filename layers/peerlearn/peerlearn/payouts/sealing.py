"""Envelope encryption of mentors' bank details: each record is sealed with AES-256-GCM under a data
key of its own, and only the data key's wrapped form is stored. KMS wraps it in the cloud (a key only
the payouts function may use); locally the wrapping key comes from PAYOUT_DATA_KEY in secrets.env.

The mentor's id is bound to both layers (AES-GCM associated data and KMS encryption context), so
sealed details copied onto another mentor's record don't open.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from typing import Any, Protocol

from peerlearn.config import PayoutSettings

_NONCE_BYTES = 12  # what AES-GCM is specified for


class SealBroken(Exception):
    """The sealed details don't open: tampered, or bound to another mentor, or another key."""


class KeyWrapper(Protocol):
    source: str

    def new_key(self, context: dict[str, str]) -> tuple[bytes, bytes]:
        """A fresh 256-bit data key: (plaintext, wrapped)."""
        ...

    def unwrap(self, wrapped: bytes, context: dict[str, str]) -> bytes: ...


@dataclass(frozen=True)
class Sealed:
    ciphertext: bytes  # nonce + AES-GCM ciphertext + tag
    wrapped_key: bytes
    key_source: str


def _aad(context: dict[str, str]) -> bytes:
    return json.dumps(context, sort_keys=True, separators=(",", ":")).encode()


def _encrypt(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM  # only the payouts function pays it

    nonce = os.urandom(_NONCE_BYTES)
    return nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def _decrypt(key: bytes, sealed: bytes, aad: bytes) -> bytes:
    from cryptography.exceptions import InvalidTag
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    try:
        return AESGCM(key).decrypt(sealed[:_NONCE_BYTES], sealed[_NONCE_BYTES:], aad)
    except (InvalidTag, ValueError) as exc:
        raise SealBroken("the sealed details don't open") from exc


class LocalKeys:
    """The local stand-in for KMS: data keys wrapped with AES-GCM under a key derived from
    PAYOUT_DATA_KEY (a random secret of 48 characters, so one SHA-256 is derivation enough)."""

    source = "local"

    def __init__(self, secret: str) -> None:
        self._key = hashlib.sha256(secret.encode()).digest()

    def new_key(self, context: dict[str, str]) -> tuple[bytes, bytes]:
        key = os.urandom(32)
        return key, _encrypt(self._key, key, _aad(context))

    def unwrap(self, wrapped: bytes, context: dict[str, str]) -> bytes:
        return _decrypt(self._key, wrapped, _aad(context))


class KmsKeys:
    """Data keys from KMS GenerateDataKey, opened with KMS Decrypt (the client is made on first use)."""

    source = "kms"

    def __init__(self, key_id: str, client: Any = None) -> None:
        self._key_id = key_id
        self._client = client

    def _kms(self) -> Any:
        if self._client is None:
            import boto3

            self._client = boto3.client("kms")
        return self._client

    def new_key(self, context: dict[str, str]) -> tuple[bytes, bytes]:
        answer = self._kms().generate_data_key(
            KeyId=self._key_id, KeySpec="AES_256", EncryptionContext=context
        )
        return bytes(answer["Plaintext"]), bytes(answer["CiphertextBlob"])

    def unwrap(self, wrapped: bytes, context: dict[str, str]) -> bytes:
        from botocore.exceptions import ClientError

        try:
            answer = self._kms().decrypt(
                CiphertextBlob=wrapped, KeyId=self._key_id, EncryptionContext=context
            )
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") == "InvalidCiphertextException":
                raise SealBroken("KMS would not open the data key") from exc
            raise
        return bytes(answer["Plaintext"])


def key_wrapper(settings: PayoutSettings) -> KeyWrapper:
    if settings.kms_key_id:
        return KmsKeys(settings.kms_key_id)
    assert settings.local_data_key is not None  # PayoutSettings.from_env makes sure one is set
    return LocalKeys(settings.local_data_key)


def seal(keys: KeyWrapper, plaintext: bytes, context: dict[str, str]) -> Sealed:
    data_key, wrapped = keys.new_key(context)
    return Sealed(_encrypt(data_key, plaintext, _aad(context)), wrapped, keys.source)


def unseal(keys: KeyWrapper, sealed: Sealed, context: dict[str, str]) -> bytes:
    if sealed.key_source != keys.source:
        raise SealBroken(f"sealed with a {sealed.key_source} key, not a {keys.source} one")
    return _decrypt(keys.unwrap(sealed.wrapped_key, context), sealed.ciphertext, _aad(context))
