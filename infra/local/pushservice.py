"""The local stack's push service, under `/_dev/push/`: what FCM or Mozilla's autopush do for a
browser, so the sender can be tested without the internet and its encryption is proved, not assumed.

- `POST /_dev/push/subscriptions` makes a subscription as a browser's PushManager would: its own
  P-256 key pair and 16-byte auth secret (the private key stays here) and an endpoint
  `/_dev/push/send/<id>`; answers `{id, endpoint, keys: {p256dh, auth}}` (PushSubscription.toJSON()).
- The endpoint takes what an application server POSTs (RFC 8030): it requires `TTL`, checks the
  `Authorization: vapid t=<JWT>, k=<public key>` header (RFC 8292: ES256 signed by k, `aud` this
  origin, `exp` in the future and at most 24 hours ahead, `sub` present) and decrypts the
  `Content-Encoding: aes128gcm` body (RFC 8291 + RFC 8188) with the subscription's private key. The
  decryption is written here from the RFCs with `cryptography`'s primitives, not taken from the
  sender's libraries, so a mistake on either side shows. Accepted: 201 and the message is kept.
- `GET /_dev/push/subscriptions` lists them (id, gone, how many messages arrived or were refused);
  `GET /_dev/push/subscriptions/<id>/messages` -> `{"messages": [{payload, json, claims, ttl,
  urgency, received_at}], "rejected": [{status, reason}]}`.
- `POST /_dev/push/subscriptions/<id>/gone` makes later sends answer 410 (the browser unsubscribed);
  `DELETE /_dev/push/subscriptions/<id>` forgets it, so later sends answer 404.

Kept in memory by the gateway: a restart forgets every subscription, as a reinstalled browser would.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
from dataclasses import dataclass, field
from typing import Any

from cryptography.exceptions import InvalidSignature, InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute, Route

MAX_BODY_BYTES = 4096  # what push services accept (RFC 8030 asks for at least 4096)
MAX_VAPID_LIFETIME_SECONDS = 24 * 3600  # RFC 8292 section 2
MAX_MESSAGES = 200  # per subscription, oldest dropped first
_ID = re.compile(r"^[A-Za-z0-9_-]{8,64}$")


class PushRejected(Exception):
    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status = status
        self.reason = reason


def b64url_decode(text: str) -> bytes:
    text = text.strip()
    if not re.fullmatch(r"[A-Za-z0-9_-]*={0,2}", text):
        raise ValueError("not base64url")
    return base64.urlsafe_b64decode(text.rstrip("=") + "=" * (-len(text.rstrip("=")) % 4))


def b64url_encode(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _point(key: ec.EllipticCurvePublicKey) -> bytes:
    return key.public_bytes(serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)


def _hmac(key: bytes, data: bytes) -> bytes:
    return hmac.new(key, data, hashlib.sha256).digest()


# ---------------------------------------------------------------------- RFC 8291 / RFC 8188
@dataclass(frozen=True)
class DerivedKeys:
    """The intermediate values of RFC 8291 section 3.4 (named as in its Appendix A)."""

    ecdh_secret: bytes
    prk_key: bytes
    ikm: bytes
    prk: bytes
    cek: bytes
    nonce: bytes


def derive_keys(
    ua_private: ec.EllipticCurvePrivateKey, as_public: bytes, auth_secret: bytes, salt: bytes
) -> DerivedKeys:
    """What the user agent derives from its private key, the sender's public key (the body's keyid),
    the auth secret and the salt. HKDF with one block of output is one HMAC each for extract and
    expand (RFC 5869), written out so every step can be compared with the RFC's example."""
    ua_public = _point(ua_private.public_key())
    sender = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), as_public)
    ecdh_secret = ua_private.exchange(ec.ECDH(), sender)
    prk_key = _hmac(auth_secret, ecdh_secret)  # HKDF-Extract(salt=auth_secret, IKM=ecdh_secret)
    key_info = b"WebPush: info\x00" + ua_public + as_public
    ikm = _hmac(prk_key, key_info + b"\x01")[:32]  # HKDF-Expand(PRK_key, key_info, 32)
    prk = _hmac(salt, ikm)  # RFC 8188: HKDF-Extract(salt, IKM)
    cek = _hmac(prk, b"Content-Encoding: aes128gcm\x00\x01")[:16]
    nonce = _hmac(prk, b"Content-Encoding: nonce\x00\x01")[:12]
    return DerivedKeys(ecdh_secret, prk_key, ikm, prk, cek, nonce)


def decrypt_aes128gcm(body: bytes, ua_private: ec.EllipticCurvePrivateKey, auth_secret: bytes) -> bytes:
    """The plaintext of an RFC 8291 message; ValueError when it is not one (or not for these keys)."""
    if len(body) < 21:
        raise ValueError("shorter than the aes128gcm header")
    salt, record_size, id_length = body[:16], int.from_bytes(body[16:20], "big"), body[20]
    if id_length != 65:
        raise ValueError("the keyid must be the sender's 65-byte public key (RFC 8291 section 4)")
    as_public = body[21 : 21 + id_length]
    if record_size < 18:
        raise ValueError("record size below 18")
    keys = derive_keys(ua_private, as_public, auth_secret, salt)
    ciphertext = body[21 + id_length :]
    if not ciphertext:
        raise ValueError("no records")
    aead = AESGCM(keys.cek)
    plaintext = b""
    records = [ciphertext[i : i + record_size] for i in range(0, len(ciphertext), record_size)]
    for sequence, record in enumerate(records):
        nonce = (int.from_bytes(keys.nonce, "big") ^ sequence).to_bytes(12, "big")
        try:
            padded = aead.decrypt(nonce, record, None)
        except InvalidTag as exc:
            raise ValueError("a record does not decrypt with these keys") from exc
        unpadded = padded.rstrip(b"\x00")
        last = sequence == len(records) - 1
        if not unpadded or unpadded[-1] != (2 if last else 1):
            raise ValueError("bad padding delimiter")
        plaintext += unpadded[:-1]
    return plaintext


# ---------------------------------------------------------------------- RFC 8292 (VAPID)
def verify_vapid(authorization: str, audience: str, now: float | None = None) -> dict[str, Any]:
    """The claims of a valid `vapid t=<JWT>, k=<key>` header for `audience`; PushRejected if not."""
    now = time.time() if now is None else now
    scheme, _, params = authorization.strip().partition(" ")
    if scheme.lower() != "vapid":
        raise PushRejected(401, "Authorization must use the vapid scheme (RFC 8292)")
    values = {}
    for part in params.split(","):
        name, _, value = part.strip().partition("=")
        values[name.strip().lower()] = value.strip()
    token, key_text = values.get("t", ""), values.get("k", "")
    if not token or not key_text:
        raise PushRejected(401, "vapid needs t= and k=")
    try:
        header_b64, claims_b64, signature_b64 = token.split(".")
        header = json.loads(b64url_decode(header_b64))
        claims = json.loads(b64url_decode(claims_b64))
        signature = b64url_decode(signature_b64)
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64url_decode(key_text))
    except (ValueError, binascii.Error, json.JSONDecodeError) as exc:
        raise PushRejected(401, "malformed VAPID token or key") from exc
    if not isinstance(header, dict) or header.get("alg") != "ES256" or not isinstance(claims, dict):
        raise PushRejected(401, "the VAPID token must be an ES256 JWT")
    if len(signature) != 64:
        raise PushRejected(401, "an ES256 signature is 64 bytes (r || s)")
    der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
    try:
        public.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
    except InvalidSignature as exc:
        raise PushRejected(403, "the VAPID signature does not verify with k") from exc
    if claims.get("aud") != audience:
        raise PushRejected(403, f"aud must be this push service's origin {audience}")
    exp = claims.get("exp")
    if not isinstance(exp, int) or exp <= now:
        raise PushRejected(403, "exp is missing or in the past")
    if exp > now + MAX_VAPID_LIFETIME_SECONDS:
        raise PushRejected(403, "exp is more than 24 hours ahead")
    sub = claims.get("sub")
    if not isinstance(sub, str) or not sub.startswith(("mailto:", "https:")):
        raise PushRejected(403, "sub must be a mailto: or https: contact")
    return {**claims, "k": key_text}


# ---------------------------------------------------------------------- the service
@dataclass
class _Subscription:
    id: str
    private_key: ec.EllipticCurvePrivateKey
    auth_secret: bytes
    gone: bool = False
    messages: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[dict[str, Any]] = field(default_factory=list)


class PushService:
    def __init__(self) -> None:
        self._subscriptions: dict[str, _Subscription] = {}
        self._lock = threading.Lock()

    def routes(self) -> list[BaseRoute]:
        return [
            Route("/_dev/push/subscriptions", self.create, methods=["POST"]),
            Route("/_dev/push/subscriptions", self.list, methods=["GET"]),
            Route("/_dev/push/subscriptions/{id}", self.forget, methods=["DELETE"]),
            Route("/_dev/push/subscriptions/{id}/messages", self.messages, methods=["GET"]),
            Route("/_dev/push/subscriptions/{id}/gone", self.make_gone, methods=["POST"]),
            Route("/_dev/push/send/{id}", self.receive, methods=["POST"]),
        ]

    def _find(self, request: Request) -> _Subscription | None:
        sub_id = request.path_params["id"]
        with self._lock:
            return self._subscriptions.get(sub_id) if _ID.match(sub_id) else None

    async def create(self, request: Request) -> Response:
        key = ec.generate_private_key(ec.SECP256R1())
        sub = _Subscription(secrets.token_urlsafe(16), key, secrets.token_bytes(16))
        with self._lock:
            self._subscriptions[sub.id] = sub
        origin = _origin(request)
        answer = {
            "id": sub.id,
            "endpoint": f"{origin}/_dev/push/send/{sub.id}",
            "expirationTime": None,
            "keys": {
                "p256dh": b64url_encode(_point(key.public_key())),
                "auth": b64url_encode(sub.auth_secret),
            },
        }
        return JSONResponse(answer, status_code=201)

    async def list(self, request: Request) -> Response:
        with self._lock:
            found = [
                {"id": s.id, "gone": s.gone, "messages": len(s.messages), "rejected": len(s.rejected)}
                for s in self._subscriptions.values()
            ]
        return JSONResponse({"subscriptions": found})

    async def forget(self, request: Request) -> Response:
        with self._lock:
            self._subscriptions.pop(request.path_params["id"], None)
        return Response(status_code=204)

    async def make_gone(self, request: Request) -> Response:
        sub = self._find(request)
        if sub is None:
            return JSONResponse({"message": "no such subscription"}, status_code=404)
        sub.gone = True
        return Response(status_code=204)

    async def messages(self, request: Request) -> Response:
        sub = self._find(request)
        if sub is None:
            return JSONResponse({"message": "no such subscription"}, status_code=404)
        with self._lock:
            return JSONResponse({"messages": list(sub.messages), "rejected": list(sub.rejected)})

    async def receive(self, request: Request) -> Response:
        sub = self._find(request)
        if sub is None:
            return JSONResponse({"message": "no such subscription"}, status_code=404)
        if sub.gone:
            return JSONResponse({"message": "unsubscribed or expired"}, status_code=410)
        body = await request.body()
        try:
            message = self._accept(request, sub, body)
        except PushRejected as rejected:
            with self._lock:
                sub.rejected.append({"status": rejected.status, "reason": rejected.reason})
            return JSONResponse({"message": rejected.reason}, status_code=rejected.status)
        with self._lock:
            sub.messages.append(message)
            del sub.messages[:-MAX_MESSAGES]
        location = f"{_origin(request)}/_dev/push/subscriptions/{sub.id}/messages"
        return Response(status_code=201, headers={"Location": location})

    def _accept(self, request: Request, sub: _Subscription, body: bytes) -> dict[str, Any]:
        ttl_text = request.headers.get("ttl")
        if ttl_text is None or not ttl_text.strip().isdigit():
            raise PushRejected(400, "the TTL header is required (RFC 8030 section 5.2)")
        claims = verify_vapid(request.headers.get("authorization", ""), _origin(request))
        if len(body) > MAX_BODY_BYTES:
            raise PushRejected(413, f"the body is over {MAX_BODY_BYTES} bytes")
        if request.headers.get("content-encoding", "").lower() != "aes128gcm":
            raise PushRejected(415, "Content-Encoding must be aes128gcm (RFC 8291)")
        try:
            plaintext = decrypt_aes128gcm(body, sub.private_key, sub.auth_secret)
        except ValueError as exc:
            raise PushRejected(400, f"the body does not decrypt: {exc}") from exc
        text = plaintext.decode("utf-8", errors="replace")
        try:
            parsed: Any = json.loads(text)
        except json.JSONDecodeError:
            parsed = None
        return {
            "payload": text,
            "json": parsed,
            "claims": claims,
            "ttl": int(ttl_text),
            "urgency": request.headers.get("urgency"),
            "topic": request.headers.get("topic"),
            "received_at": time.time(),
        }


def _origin(request: Request) -> str:
    return f"{request.url.scheme}://{request.url.netloc}"


def routes() -> list[BaseRoute]:
    return PushService().routes()
