"""Typed settings, built once per cold start from the environment.

Domain code never reads `os.environ`; handlers call `Settings.from_env()` at import and pass the
result (or what it builds) down. A missing required value fails loudly at cold start.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cached_property
from typing import Literal


class ConfigError(RuntimeError):
    """A required setting is missing or malformed."""


@dataclass(frozen=True)
class Settings:
    stage: str
    table_name: str
    region: str
    jwt_secret: str
    web_base_url: str
    media_base_url: str
    email_from: str
    email_transport: Literal["ses", "outbox"]
    outbox_dir: str | None
    uploads_bucket: str
    # Set only locally: avatar uploads go to the local gateway instead of S3.
    uploads_endpoint: str | None
    cookie_secure: bool
    dynamodb_endpoint: str | None
    booking_cancel_cutoff_hours: int
    # The value CloudFront sends in X-PeerLearn-Origin; REST functions refuse requests without it.
    # None where a function has neither setting (stream, jobs): the REST edge then refuses everything.
    origin_secret: str | None
    # The live rooms' WebSocket API: the URL browsers connect to (a room ticket names it) and the
    # `@connections` management endpoint the functions push through (same API, https/http scheme).
    websocket_url: str
    websocket_management_url: str
    # The SES configuration set every email is sent with (suppression of bounced and complaining
    # addresses, their events); None locally (the outbox) and wherever the template sets none.
    ses_configuration_set: str | None = None
    # Admins' broadcasts are paced to this many recipients a second: SES's sending rate (14/s is
    # the starting quota of an account out of the sandbox).
    broadcast_emails_per_second: int = 14

    @classmethod
    def from_env(
        cls,
        env: Mapping[str, str] | None = None,
        fetch_secret: Callable[[str], str] | None = None,
        fetch_origin_secret: Callable[[str], str] | None = None,
    ) -> Settings:
        env = os.environ if env is None else env

        def required(name: str) -> str:
            value = env.get(name, "").strip()
            if not value:
                raise ConfigError(f"setting {name} is required")
            return value

        transport = required("EMAIL_TRANSPORT")
        if transport not in ("ses", "outbox"):
            raise ConfigError(f"EMAIL_TRANSPORT must be 'ses' or 'outbox', not {transport!r}")
        outbox_dir = required("OUTBOX_DIR") if transport == "outbox" else None

        # The secret comes from the environment locally and from SSM in the cloud.
        if env.get("JWT_SECRET"):
            jwt_secret = env["JWT_SECRET"]
        else:
            param = required("JWT_SECRET_PARAM")
            jwt_secret = (fetch_secret or _ssm_secret)(param)
        if len(jwt_secret) < 32:
            raise ConfigError("the JWT secret must be at least 32 characters")

        return cls(
            stage=required("STAGE"),
            table_name=required("TABLE_NAME"),
            region=env.get("AWS_REGION") or required("AWS_DEFAULT_REGION"),
            jwt_secret=jwt_secret,
            web_base_url=required("WEB_BASE_URL").removesuffix("/"),
            media_base_url=required("MEDIA_BASE_URL").removesuffix("/"),
            email_from=required("EMAIL_FROM"),
            email_transport=transport,  # type: ignore[arg-type]
            outbox_dir=outbox_dir,
            uploads_bucket=required("UPLOADS_BUCKET"),
            uploads_endpoint=env.get("UPLOADS_ENDPOINT") or None,
            cookie_secure=required("COOKIE_SECURE").lower() == "true",
            dynamodb_endpoint=env.get("AWS_ENDPOINT_URL_DYNAMODB") or None,
            booking_cancel_cutoff_hours=_non_negative_int(
                required("BOOKING_CANCEL_CUTOFF_HOURS"), "BOOKING_CANCEL_CUTOFF_HOURS"
            ),
            origin_secret=origin_secret_from_env(env, fetch_origin_secret),
            websocket_url=required("WEBSOCKET_URL").removesuffix("/"),
            websocket_management_url=required("WEBSOCKET_MANAGEMENT_URL").removesuffix("/"),
            ses_configuration_set=env.get("SES_CONFIGURATION_SET", "").strip() or None,
            broadcast_emails_per_second=_positive_int(
                env.get("BROADCAST_EMAILS_PER_SECOND", "").strip() or "14", "BROADCAST_EMAILS_PER_SECOND"
            ),
        )


def origin_secret_from_env(
    env: Mapping[str, str] | None = None, fetch: Callable[[str], str] | None = None
) -> str | None:
    """The origin secret: ORIGIN_SECRET (the value, local stack) or ORIGIN_SECRET_ARN (Secrets
    Manager, cloud; read once per cold start and cached by Powertools), or None when neither is set."""
    env = os.environ if env is None else env
    if env.get("ORIGIN_SECRET", "").strip():
        secret = env["ORIGIN_SECRET"].strip()
    elif env.get("ORIGIN_SECRET_ARN", "").strip():
        secret = (fetch or _secrets_manager_value)(env["ORIGIN_SECRET_ARN"].strip())
    else:
        return None
    if len(secret) < 32:
        raise ConfigError("the origin secret must be at least 32 characters")
    return secret


def _non_negative_int(value: str, name: str) -> int:
    try:
        number = int(value)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, not {value!r}") from exc
    if number < 0:
        raise ConfigError(f"{name} can't be negative")
    return number


def _positive_int(value: str, name: str) -> int:
    number = _non_negative_int(value, name)
    if number == 0:
        raise ConfigError(f"{name} must be at least 1")
    return number


def _ssm_secret(name: str) -> str:
    from aws_lambda_powertools.utilities import parameters

    value = parameters.get_parameter(name, decrypt=True, max_age=300)
    if not isinstance(value, str):
        raise ConfigError(f"SSM parameter {name} is not a string")
    return value


def _secrets_manager_value(secret_id: str) -> str:
    from aws_lambda_powertools.utilities import parameters

    value = parameters.get_secret(secret_id, max_age=300)
    if not isinstance(value, str):
        raise ConfigError(f"secret {secret_id} is not a string")
    return value.strip()


@dataclass(frozen=True)
class RazorpaySettings:
    """Razorpay's keys and where to reach it, for the functions that take or move money.

    The key id is public (Checkout needs it); the key secret and the webhook secret are not: they come
    from the environment locally and from SSM SecureString parameters (`*_PARAM`) in the cloud, and
    are never logged or sent to the browser. `base_url` is set only locally (the sandbox).
    """

    key_id: str
    key_secret: str
    webhook_secret: str
    base_url: str | None
    checkout_url: str
    payout_account_number: str  # the RazorpayX account payouts are made from

    def __repr__(self) -> str:  # a settings object in a log line must not carry the secrets
        return f"RazorpaySettings(key_id={self.key_id!r}, base_url={self.base_url!r})"

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, fetch_secret: Callable[[str], str] | None = None
    ) -> RazorpaySettings:
        env = os.environ if env is None else env

        def required(name: str) -> str:
            value = env.get(name, "").strip()
            if not value:
                raise ConfigError(f"setting {name} is required")
            return value

        def secret(name: str) -> str:
            if env.get(name, "").strip():
                return env[name].strip()
            return (fetch_secret or _ssm_secret)(required(f"{name}_PARAM"))

        key_id = required("RAZORPAY_KEY_ID")
        if not key_id.startswith(("rzp_test_", "rzp_live_")):
            raise ConfigError("RAZORPAY_KEY_ID must start with rzp_test_ or rzp_live_")
        return cls(
            key_id=key_id,
            key_secret=secret("RAZORPAY_KEY_SECRET"),
            webhook_secret=secret("RAZORPAY_WEBHOOK_SECRET"),
            base_url=env.get("RAZORPAY_BASE_URL", "").strip().removesuffix("/") or None,
            checkout_url=required("RAZORPAY_CHECKOUT_URL"),
            payout_account_number=required("RAZORPAYX_ACCOUNT_NUMBER"),
        )


@dataclass(frozen=True)
class WebhookSettings:
    """All the webhooks function reads: where the table is, the webhook secret and the origin secret
    (not the JWT secret, not Razorpay's key secret: it verifies and stores, nothing else)."""

    table_name: str
    region: str
    dynamodb_endpoint: str | None
    webhook_secret: str
    origin_secret: str | None

    def __repr__(self) -> str:
        return f"WebhookSettings(table_name={self.table_name!r})"

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, fetch_secret: Callable[[str], str] | None = None
    ) -> WebhookSettings:
        env = os.environ if env is None else env
        table = env.get("TABLE_NAME", "").strip()
        region = (env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "").strip()
        if not table or not region:
            raise ConfigError("settings TABLE_NAME and AWS_REGION are required")
        return cls(
            table_name=table,
            region=region,
            dynamodb_endpoint=env.get("AWS_ENDPOINT_URL_DYNAMODB") or None,
            webhook_secret=razorpay_webhook_secret(env, fetch_secret),
            origin_secret=origin_secret_from_env(env),
        )


def razorpay_webhook_secret(
    env: Mapping[str, str] | None = None, fetch_secret: Callable[[str], str] | None = None
) -> str:
    """Only the webhook secret (RAZORPAY_WEBHOOK_SECRET, or its SSM parameter in the cloud): the
    webhooks function needs nothing else, so it is given nothing else (not the key secret)."""
    env = os.environ if env is None else env
    if env.get("RAZORPAY_WEBHOOK_SECRET", "").strip():
        return env["RAZORPAY_WEBHOOK_SECRET"].strip()
    name = env.get("RAZORPAY_WEBHOOK_SECRET_PARAM", "").strip()
    if not name:
        raise ConfigError("setting RAZORPAY_WEBHOOK_SECRET_PARAM is required")
    return (fetch_secret or _ssm_secret)(name)


@dataclass(frozen=True)
class PayoutSettings:
    """Mentor payouts: the withdrawal rules, and the key that seals bank details.

    Bank details are sealed with a data key per record (envelope encryption): in the cloud the data
    key comes from KMS (`PAYOUT_KMS_KEY_ID`, a key only the payouts function may use); locally it is
    wrapped with `PAYOUT_DATA_KEY` from secrets.env (which wins when both are set).
    """

    min_withdrawal_paise: int
    auto_approve_below_paise: int  # 0: every withdrawal waits for an admin
    kms_key_id: str | None
    local_data_key: str | None

    def __repr__(self) -> str:  # the local key must never reach a log line
        return (
            f"PayoutSettings(min_withdrawal_paise={self.min_withdrawal_paise}, "
            f"auto_approve_below_paise={self.auto_approve_below_paise}, kms_key_id={self.kms_key_id!r})"
        )

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> PayoutSettings:
        env = os.environ if env is None else env
        # The local key wins, as ORIGIN_SECRET does: locally the template's key reference is only a name.
        local_key = env.get("PAYOUT_DATA_KEY", "").strip() or None
        kms_key_id = None if local_key else env.get("PAYOUT_KMS_KEY_ID", "").strip() or None
        if local_key is None and kms_key_id is None:
            raise ConfigError("setting PAYOUT_KMS_KEY_ID (or locally PAYOUT_DATA_KEY) is required")
        if local_key is not None and len(local_key) < 32:
            raise ConfigError("PAYOUT_DATA_KEY must be at least 32 characters")

        def amount(name: str) -> int:  # set in template.yaml (defaults there: ₹500 minimum)
            value = env.get(name, "").strip()
            if not value:
                raise ConfigError(f"setting {name} is required")
            return _non_negative_int(value, name)

        return cls(
            min_withdrawal_paise=amount("PAYOUT_MIN_WITHDRAWAL_PAISE"),
            auto_approve_below_paise=amount("PAYOUT_AUTO_APPROVE_BELOW_PAISE"),
            kms_key_id=kms_key_id,
            local_data_key=local_key,
        )


@dataclass(frozen=True)
class TurnSettings:
    """ICE servers for the rooms' WebRTC: TURN URIs and the secret their time-limited credentials are
    derived from (the TURN REST scheme coturn implements). No URIs (locally): host candidates only,
    and no secret is needed. The secret is TURN_SECRET locally, the SSM SecureString named by
    TURN_SECRET_PARAM in the cloud; only the function that hands out credentials builds this."""

    uris: tuple[str, ...]
    secret: str | None
    ttl_seconds: int

    def __repr__(self) -> str:  # the secret must never reach a log line
        return f"TurnSettings(uris={self.uris!r}, ttl_seconds={self.ttl_seconds})"

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, fetch_secret: Callable[[str], str] | None = None
    ) -> TurnSettings:
        env = os.environ if env is None else env
        ttl_text = env.get("TURN_TTL_SECONDS", "").strip()
        if not ttl_text:
            raise ConfigError("setting TURN_TTL_SECONDS is required")
        ttl = _non_negative_int(ttl_text, "TURN_TTL_SECONDS")
        if not 60 <= ttl <= 86400:
            raise ConfigError("TURN_TTL_SECONDS must be between 60 and 86400")
        uris = tuple(u.strip() for u in env.get("TURN_URIS", "").split(",") if u.strip())
        for uri in uris:
            if not uri.startswith(("turn:", "turns:", "stun:")):
                raise ConfigError(f"TURN_URIS: {uri!r} is not a turn:, turns: or stun: URI")
        secret: str | None = None
        if any(uri.startswith(("turn:", "turns:")) for uri in uris):
            if env.get("TURN_SECRET", "").strip():
                secret = env["TURN_SECRET"].strip()
            else:
                name = env.get("TURN_SECRET_PARAM", "").strip()
                if not name:
                    raise ConfigError("setting TURN_SECRET_PARAM (or locally TURN_SECRET) is required")
                secret = (fetch_secret or _ssm_secret)(name)
            if len(secret) < 16:
                raise ConfigError("the TURN secret must be at least 16 characters")
        return cls(uris=uris, secret=secret, ttl_seconds=ttl)


@dataclass(frozen=True)
class TableSettings:
    """Only where the table is: for a function that touches nothing else (the email events function
    records suppressed addresses; it has no use for the JWT secret, so it is given no way to read it)."""

    table_name: str
    region: str
    dynamodb_endpoint: str | None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> TableSettings:
        env = os.environ if env is None else env
        table = env.get("TABLE_NAME", "").strip()
        region = (env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "").strip()
        if not table or not region:
            raise ConfigError("settings TABLE_NAME and AWS_REGION are required")
        return cls(
            table_name=table, region=region, dynamodb_endpoint=env.get("AWS_ENDPOINT_URL_DYNAMODB") or None
        )


@dataclass(frozen=True)
class PushSettings:
    """Web push (VAPID, RFC 8292): the application server's key pair, who to contact about it, and
    which push services a browser's subscription may point at.

    The private key (a P-256 scalar, base64url of its 32 bytes, or a PEM) is VAPID_PRIVATE_KEY locally
    (made once into the local stack's secrets.env) and the SSM SecureString named by
    VAPID_PRIVATE_KEY_PARAM in the cloud; the public key is derived from it (browsers subscribe with
    it). A subscription's endpoint is a URL we will POST to, so it must be https on a known push
    service (PUSH_SERVICE_HOSTS: exact hosts or `*.suffix`), or locally the stack's push-service
    stand-in (PUSH_DEV_ORIGIN, never set in the cloud): anything else would let a caller aim our
    functions at any address (SSRF).
    """

    key_text: str  # the private key as configured (base64url of 32 bytes, or a PEM)
    subject: str  # mailto:... or https://...: the push service's contact for us
    service_hosts: tuple[str, ...]
    dev_origin: str | None = None

    # Derived on first use, not at cold start: `cryptography` costs tens of milliseconds to import,
    # and most invocations of the functions that hold these settings push nothing.
    @cached_property
    def _keys(self) -> tuple[str, str]:
        return vapid_keys(self.key_text)

    @property
    def private_key(self) -> str:
        """base64url of the 32-byte scalar, no padding."""
        return self._keys[0]

    @property
    def public_key(self) -> str:
        """base64url of the uncompressed point (65 bytes), no padding: the applicationServerKey."""
        return self._keys[1]

    def __repr__(self) -> str:  # the private key must never reach a log line
        return (
            f"PushSettings(subject={self.subject!r}, service_hosts={self.service_hosts!r}, "
            f"dev_origin={self.dev_origin!r})"
        )

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, fetch_secret: Callable[[str], str] | None = None
    ) -> PushSettings:
        env = os.environ if env is None else env
        if env.get("VAPID_PRIVATE_KEY", "").strip():
            key_text = env["VAPID_PRIVATE_KEY"].strip()
        else:
            name = env.get("VAPID_PRIVATE_KEY_PARAM", "").strip()
            if not name:
                raise ConfigError("setting VAPID_PRIVATE_KEY_PARAM (locally VAPID_PRIVATE_KEY) is required")
            key_text = (fetch_secret or _ssm_secret)(name).strip()
        _check_vapid_key_shape(key_text)
        subject = env.get("VAPID_SUBJECT", "").strip()
        if not subject.startswith(("mailto:", "https://")) or len(subject) < 10:
            raise ConfigError("VAPID_SUBJECT must be a mailto: or https: URL")
        hosts = tuple(h.strip().lower() for h in env.get("PUSH_SERVICE_HOSTS", "").split(",") if h.strip())
        if not hosts:
            raise ConfigError("setting PUSH_SERVICE_HOSTS is required")
        for host in hosts:
            bare = host.removeprefix("*.")
            if not bare or "*" in bare or "/" in bare or ":" in bare or "." not in bare:
                raise ConfigError(f"PUSH_SERVICE_HOSTS: {host!r} is not a host name or *.domain")
        dev_origin = env.get("PUSH_DEV_ORIGIN", "").strip().removesuffix("/") or None
        if dev_origin is not None and not dev_origin.startswith(("http://127.0.0.1:", "http://localhost:")):
            raise ConfigError("PUSH_DEV_ORIGIN is only for the local stack (http://127.0.0.1:<port>)")
        return cls(key_text, subject, hosts, dev_origin)


def _check_vapid_key_shape(key_text: str) -> None:
    """Fails at cold start on a key that can't be one (vapid_keys checks the rest on first use)."""
    if key_text.startswith("-----BEGIN") and "PRIVATE KEY-----" in key_text:
        return
    from peerlearn.encoding import b64url_decode

    try:
        raw = b64url_decode(key_text)
    except ValueError:  # binascii.Error is one
        raw = b""
    if len(raw) != 32:
        raise ConfigError("the VAPID private key is not a P-256 key (base64url of 32 bytes, or PEM)")


def vapid_keys(key_text: str) -> tuple[str, str]:
    """(private, public) base64url from a VAPID private key given as base64url raw bytes or PEM."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import ec

    from peerlearn.encoding import b64url_decode, b64url_encode

    try:
        if key_text.startswith("-----BEGIN"):
            loaded = serialization.load_pem_private_key(key_text.encode(), password=None)
            if not isinstance(loaded, ec.EllipticCurvePrivateKey):
                raise ValueError("not an EC key")
            key = loaded
        else:
            raw = b64url_decode(key_text)
            if len(raw) != 32:
                raise ValueError("not 32 bytes")
            key = ec.derive_private_key(int.from_bytes(raw, "big"), ec.SECP256R1())
    except ValueError as exc:
        raise ConfigError("the VAPID private key is not a P-256 key (base64url of 32 bytes, or PEM)") from exc
    if not isinstance(key.curve, ec.SECP256R1):
        raise ConfigError("the VAPID private key must be on P-256")
    scalar = key.private_numbers().private_value.to_bytes(32, "big")
    point = key.public_key().public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
    )
    return b64url_encode(scalar), b64url_encode(point)


@dataclass(frozen=True)
class ModelSettings:
    """Where the recommendations' built models are: the uploads bucket's `models/` prefix in the cloud,
    MODELS_DIR locally (set only by the local stack); and, for the function that serves them, how often
    it looks for a newer build (RECOMMEND_REFRESH_SECONDS; None for the build, which never looks)."""

    bucket: str
    models_dir: str | None
    refresh_seconds: int | None

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None, *, serving: bool = True) -> ModelSettings:
        env = os.environ if env is None else env
        bucket = env.get("UPLOADS_BUCKET", "").strip()
        models_dir = env.get("MODELS_DIR", "").strip() or None
        if not bucket and models_dir is None:
            raise ConfigError("setting UPLOADS_BUCKET (or locally MODELS_DIR) is required")
        refresh: int | None = None
        if serving:
            text = env.get("RECOMMEND_REFRESH_SECONDS", "").strip()
            if not text:
                raise ConfigError("setting RECOMMEND_REFRESH_SECONDS is required")
            refresh = _non_negative_int(text, "RECOMMEND_REFRESH_SECONDS")
        return cls(bucket=bucket, models_dir=models_dir, refresh_seconds=refresh)


@dataclass(frozen=True)
class AssistantSettings:
    """The admin assistant's model on Groq: the API key (GROQ_API_KEY locally, the SSM SecureString
    named by GROQ_API_KEY_PARAM in the cloud), the model (GROQ_MODEL) and, locally only, where the
    stand-in answers (GROQ_BASE_URL; None: Groq itself). Built on the assistant's first call, not at
    the admin function's cold start: the other admin routes never need the key."""

    api_key: str
    model: str
    base_url: str | None

    def __repr__(self) -> str:  # the key must never reach a log line
        return f"AssistantSettings(model={self.model!r}, base_url={self.base_url!r})"

    @classmethod
    def from_env(
        cls, env: Mapping[str, str] | None = None, fetch_secret: Callable[[str], str] | None = None
    ) -> AssistantSettings:
        env = os.environ if env is None else env
        if env.get("GROQ_API_KEY", "").strip():
            api_key = env["GROQ_API_KEY"].strip()
        else:
            name = env.get("GROQ_API_KEY_PARAM", "").strip()
            if not name:
                raise ConfigError("setting GROQ_API_KEY_PARAM (locally GROQ_API_KEY) is required")
            api_key = (fetch_secret or _ssm_secret)(name).strip()
        model = env.get("GROQ_MODEL", "").strip()
        if not model:
            raise ConfigError("setting GROQ_MODEL is required")
        base_url = env.get("GROQ_BASE_URL", "").strip().removesuffix("/") or None
        return cls(api_key=api_key, model=model, base_url=base_url)
