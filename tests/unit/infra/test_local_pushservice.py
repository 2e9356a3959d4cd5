"""The local push service's own checks: its RFC 8291 decryption against the RFC's worked example
(Appendix A), and its VAPID verification refusing what a real push service refuses."""

from __future__ import annotations

import json
import time
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from infra.local.pushservice import (
    PushRejected,
    b64url_decode,
    b64url_encode,
    decrypt_aes128gcm,
    derive_keys,
    verify_vapid,
)
from tests.push_support import ORIGIN, InProcessPushService

# RFC 8291 Appendix A.
PLAINTEXT = b"When I grow up, I want to be a watermelon"
AS_PUBLIC = "BP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27mlmlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A8"
UA_PRIVATE = "q1dXpw3UpT5VOmu_cf_v6ih07Aems3njxI-JWgLcM94"
UA_PUBLIC = "BCVxsr7N_eNgVRqvHtD0zTZsEc6-VV-JvLexhqUzORcxaOzi6-AYWXvTBHm4bjyPjs7Vd8pZGH6SRpkNtoIAiw4"
SALT = "DGv6ra1nlYgDCS1FRnbzlw"
AUTH = "BTBZMqHH6r4Tts7J_aSIgg"
BODY = (
    "DGv6ra1nlYgDCS1FRnbzlwAAEABBBP4z9KsN6nGRTbVYI_c7VJSPQTBtkgcy27ml"
    "mlMoZIIgDll6e3vCYLocInmYWAmS6TlzAC8wEqKK6PBru3jl7A_yl95bQpu6cVPT"
    "pK4Mqgkf1CXztLVBSt2Ks3oZwbuwXPXLWyouBWLVWGNWQexSgSxsj_Qulcy4a-fN"
)


def ua_private() -> ec.EllipticCurvePrivateKey:
    return ec.derive_private_key(int.from_bytes(b64url_decode(UA_PRIVATE), "big"), ec.SECP256R1())


def test_the_rfc_8291_example_decrypts_to_its_plaintext() -> None:
    assert decrypt_aes128gcm(b64url_decode(BODY), ua_private(), b64url_decode(AUTH)) == PLAINTEXT


def test_each_derived_key_matches_the_rfc_8291_example() -> None:
    keys = derive_keys(ua_private(), b64url_decode(AS_PUBLIC), b64url_decode(AUTH), b64url_decode(SALT))

    assert b64url_encode(keys.ecdh_secret) == "kyrL1jIIOHEzg3sM2ZWRHDRB62YACZhhSlknJ672kSs"
    assert b64url_encode(keys.prk_key) == "Snr3JMxaHVDXHWJn5wdC52WjpCtd2EIEGBykDcZW32k"
    assert b64url_encode(keys.ikm) == "S4lYMb_L0FxCeq0WhDx813KgSYqU26kOyzWUdsXYyrg"
    assert b64url_encode(keys.prk) == "09_eUZGrsvxChDCGRCdkLiDXrReGOEVeSCdCcPBSJSc"
    assert b64url_encode(keys.cek) == "oIhVW04MRdy2XN9CiKLxTg"
    assert b64url_encode(keys.nonce) == "4h_95klXJ5E_qnoN"


def test_the_example_does_not_decrypt_with_another_auth_secret_or_a_flipped_byte() -> None:
    with pytest.raises(ValueError, match="decrypt"):
        decrypt_aes128gcm(b64url_decode(BODY), ua_private(), bytes(16))
    tampered = bytearray(b64url_decode(BODY))
    tampered[-1] ^= 1
    with pytest.raises(ValueError, match="decrypt"):
        decrypt_aes128gcm(bytes(tampered), ua_private(), b64url_decode(AUTH))


# ---------------------------------------------------------------------- VAPID
AUDIENCE = ORIGIN


def vapid_header(
    claims: dict[str, Any], key: ec.EllipticCurvePrivateKey | None = None, alg: str = "ES256"
) -> str:
    """A VAPID header made by hand (not by py_vapid), so the verifier is tested on its own."""
    key = key or ec.generate_private_key(ec.SECP256R1())
    header = b64url_encode(json.dumps({"typ": "JWT", "alg": alg}).encode())
    body = b64url_encode(json.dumps(claims).encode())
    r, s = decode_dss_signature(key.sign(f"{header}.{body}".encode(), ec.ECDSA(hashes.SHA256())))
    signature = b64url_encode(r.to_bytes(32, "big") + s.to_bytes(32, "big"))
    from cryptography.hazmat.primitives import serialization

    public = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return f"vapid t={header}.{body}.{signature}, k={b64url_encode(public)}"


def good_claims(**changes: Any) -> dict[str, Any]:
    return {"aud": AUDIENCE, "exp": int(time.time()) + 3600, "sub": "mailto:push@peerlearn.test", **changes}


def test_a_well_formed_vapid_header_gives_its_claims() -> None:
    claims = verify_vapid(vapid_header(good_claims()), AUDIENCE)
    assert claims["sub"] == "mailto:push@peerlearn.test"
    assert claims["aud"] == AUDIENCE


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        (good_claims(aud="https://elsewhere.example"), "aud"),
        (good_claims(exp=int(time.time()) - 10), "exp"),
        (good_claims(exp=int(time.time()) + 25 * 3600), "24 hours"),
        # exp an hour ahead: the claims are made at collection, maybe minutes before the test runs
        ({"aud": AUDIENCE, "exp": int(time.time()) + 3600}, "sub"),
    ],
)
def test_vapid_claims_a_push_service_refuses_are_refused(claims: dict[str, Any], reason: str) -> None:
    with pytest.raises(PushRejected, match=reason) as refused:
        verify_vapid(vapid_header(claims), AUDIENCE)
    assert refused.value.status == 403


def test_a_vapid_token_signed_by_another_key_than_k_is_refused() -> None:
    header = vapid_header(good_claims())
    other = vapid_header(good_claims())
    forged = header.split(", k=")[0] + ", k=" + other.split(", k=")[1]
    with pytest.raises(PushRejected, match="signature"):
        verify_vapid(forged, AUDIENCE)


def test_a_bearer_or_hs256_token_is_not_vapid() -> None:
    with pytest.raises(PushRejected, match="vapid scheme"):
        verify_vapid("Bearer abc", AUDIENCE)
    with pytest.raises(PushRejected, match="ES256"):
        verify_vapid(vapid_header(good_claims(), alg="HS256"), AUDIENCE)


# ---------------------------------------------------------------------- over HTTP
@pytest.fixture
def service() -> InProcessPushService:
    return InProcessPushService()


def test_a_subscription_looks_like_a_browsers_and_refuses_sends_without_ttl_or_vapid(
    service: InProcessPushService,
) -> None:
    sub = service.post("/_dev/push/subscriptions").json()
    assert sub["endpoint"] == f"{AUDIENCE}/_dev/push/send/{sub['id']}"
    assert len(b64url_decode(sub["keys"]["p256dh"])) == 65
    assert len(b64url_decode(sub["keys"]["auth"])) == 16

    no_ttl = service.post(
        sub["endpoint"], content=b"x", headers={"Authorization": vapid_header(good_claims())}
    )
    no_vapid = service.post(sub["endpoint"], content=b"x", headers={"TTL": "60"})
    not_encrypted = service.post(
        sub["endpoint"],
        content=b"hello",
        headers={"TTL": "60", "Authorization": vapid_header(good_claims()), "Content-Encoding": "aes128gcm"},
    )

    assert (no_ttl.status_code, no_vapid.status_code, not_encrypted.status_code) == (400, 401, 400)
    answer = service.get(f"/_dev/push/subscriptions/{sub['id']}/messages").json()
    assert answer["messages"] == []
    assert [r["status"] for r in answer["rejected"]] == [400, 401, 400]


def test_gone_and_forgotten_subscriptions_answer_410_and_404(service: InProcessPushService) -> None:
    gone = service.post("/_dev/push/subscriptions").json()
    forgotten = service.post("/_dev/push/subscriptions").json()

    assert service.post(f"/_dev/push/subscriptions/{gone['id']}/gone").status_code == 204
    assert service.delete(f"/_dev/push/subscriptions/{forgotten['id']}").status_code == 204

    assert service.post(gone["endpoint"], content=b"x", headers={"TTL": "0"}).status_code == 410
    assert service.post(forgotten["endpoint"], content=b"x", headers={"TTL": "0"}).status_code == 404


def test_the_dev_page_lists_subscriptions_with_what_arrived(service: InProcessPushService) -> None:
    sub = service.subscribe()
    service.post(sub["endpoint"], content=b"x", headers={"TTL": "0"})  # refused: no VAPID

    [listed] = [
        s for s in service.get("/_dev/push/subscriptions").json()["subscriptions"] if s["id"] == sub["id"]
    ]

    assert listed == {"id": sub["id"], "gone": False, "messages": 0, "rejected": 1}
