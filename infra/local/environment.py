"""What the functions of the local stack see: their environment, the local secrets, and what the
template's references stand for locally.

Every function gets its template environment (Globals, then its own) with local values over it, in
this order, later winning:

1. the template's resolved environment (refs from `local_refs`: Table -> the local table name,
   Stage -> local, ...);
2. the local overrides from `local_environment()`: local table and endpoint, fake credentials,
   the JWT, origin and Razorpay sandbox secrets (made once into `<data dir>/secrets.env`, never
   printed), local URLs, the email outbox, the gateway's upload endpoint, the Razorpay sandbox's key
   id and URLs, Powertools tracing and metrics off;
3. an optional repo-root `.env` file (`KEY=VALUE` lines, `#` comments, optional `export ` and
   quotes), for secrets and switches a developer sets (Razorpay keys, GROQ_API_KEY...);
4. `overrides` passed to `LocalStack` (tests).
"""

from __future__ import annotations

import base64
import contextlib
import os
import re
import secrets
from collections.abc import Iterator, Mapping
from pathlib import Path
from urllib.parse import urlsplit

from infra.local.account import CREDENTIALS, REGION, api_id, bucket_arn, table_arn
from infra.local.template import Template

LOCAL_BUCKET = "local-uploads"
LOCAL_STAGE = "local"


def read_env_file(path: Path) -> dict[str, str]:
    """KEY=VALUE lines of a .env file; blank lines and # comments are skipped."""
    values: dict[str, str] = {}
    if not path.is_file():
        return values
    for number, line in enumerate(path.read_text().splitlines(), start=1):
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        match = re.fullmatch(r"(?:export\s+)?([A-Za-z_][A-Za-z0-9_]*)\s*=\s*(.*)", line)
        if match is None:
            raise ValueError(f"{path}:{number}: expected KEY=VALUE")
        name, value = match.groups()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        values[name] = value
    return values


# Made on first run and kept, so sign-ins survive a restart (and sealed bank details still open:
# PAYOUT_DATA_KEY stands in for the payouts KMS key); never printed.
LOCAL_SECRET_NAMES = (
    "JWT_SECRET",
    "ORIGIN_SECRET",
    "RAZORPAY_KEY_SECRET",
    "RAZORPAY_WEBHOOK_SECRET",
    "PAYOUT_DATA_KEY",
    "TURN_SECRET",
    "VAPID_PRIVATE_KEY",
)
# The Razorpay sandbox's public key id (rzp_test_ + 14 characters) and RazorpayX account number.
LOCAL_RAZORPAY_KEY_ID = "rzp_test_PeerLearnLocal"
LOCAL_RAZORPAYX_ACCOUNT_NUMBER = "7878780080316316"
# The Groq stand-in's key (infra.local.triggers.groq): not a secret, it opens nothing outside the stack.
LOCAL_GROQ_API_KEY = "gsk_local_stand_in"


def with_groq(env: Mapping[str, str], url: str) -> dict[str, str]:
    """The functions talk to Groq when the environment (`.env`) gives a GROQ_API_KEY, else to the
    stack's stand-in (its key, and GROQ_BASE_URL at the gateway's `/_groq`)."""
    if env.get("GROQ_API_KEY", "").strip():
        return dict(env)
    return {
        **env,
        "GROQ_API_KEY": LOCAL_GROQ_API_KEY,
        "GROQ_BASE_URL": env.get("GROQ_BASE_URL") or f"{url}/_groq",
    }


def local_secrets(data_dir: Path) -> dict[str, str]:
    """The local secrets (JWT signing key, CloudFront's origin header, the Razorpay sandbox's key secret
    and webhook secret, the key wrapping payout data keys, the TURN REST credentials' shared secret,
    web push's VAPID private key),
    kept in <data dir>/secrets.env.

    Missing ones are made and added (mode 600); existing ones are kept.
    """
    path = data_dir / "secrets.env"
    saved = read_env_file(path)
    if all(saved.get(name) for name in LOCAL_SECRET_NAMES):
        return {name: saved[name] for name in LOCAL_SECRET_NAMES}
    values = {name: saved.get(name) or _new_secret(name) for name in LOCAL_SECRET_NAMES}
    data_dir.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    os.fchmod(descriptor, 0o600)  # a file made by hand keeps its mode otherwise
    with os.fdopen(descriptor, "w") as out:
        out.write("# Made by the local stack on first run. Local only; never used in the cloud.\n")
        out.writelines(f"{name}={value}\n" for name, value in values.items())
    return values


def new_vapid_private_key() -> str:
    """A web push VAPID private key: a P-256 scalar, base64url (the cloud's lives in SSM)."""
    from cryptography.hazmat.primitives.asymmetric import ec

    scalar = ec.generate_private_key(ec.SECP256R1()).private_numbers().private_value.to_bytes(32, "big")
    return base64.urlsafe_b64encode(scalar).decode().rstrip("=")


def _new_secret(name: str) -> str:
    if name == "VAPID_PRIVATE_KEY":
        return new_vapid_private_key()
    return secrets.token_urlsafe(36)  # 48 characters


def jwt_secret(data_dir: Path) -> str:
    """The local JWT signing secret (see `local_secrets`)."""
    return local_secrets(data_dir)["JWT_SECRET"]


def local_environment(data_dir: Path, url: str, table_name: str, dynamodb_endpoint: str) -> dict[str, str]:
    """The local values every function gets over its template environment."""
    netloc = urlsplit(url).netloc
    return {
        "STAGE": LOCAL_STAGE,
        "TABLE_NAME": table_name,
        "AWS_ENDPOINT_URL_DYNAMODB": dynamodb_endpoint,
        **CREDENTIALS,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_REGION": REGION,
        **local_secrets(data_dir),
        "WEB_BASE_URL": url,
        "MEDIA_BASE_URL": f"{url}/media",
        "EMAIL_TRANSPORT": "outbox",
        "OUTBOX_DIR": str(data_dir / "outbox"),
        "UPLOADS_BUCKET": LOCAL_BUCKET,
        "UPLOADS_ENDPOINT": f"{url}/_dev/uploads",
        # Built recommendation models: files here instead of the uploads bucket's models/ prefix.
        "MODELS_DIR": str(data_dir / "models"),
        "COOKIE_SECURE": "false",
        # The Razorpay sandbox of the local stack (infra.local.triggers.razorpay); secrets above.
        "RAZORPAY_KEY_ID": LOCAL_RAZORPAY_KEY_ID,
        "RAZORPAY_BASE_URL": f"{url}/_razorpay",
        "RAZORPAY_CHECKOUT_URL": f"{url}/_razorpay/checkout.js",
        "RAZORPAYX_ACCOUNT_NUMBER": LOCAL_RAZORPAYX_ACCOUNT_NUMBER,
        # The gateway serves the WebSocket API at /<stage> (infra.local.triggers.websocket) and its
        # @connections API under the same path; no TURN server locally: host candidates suffice.
        "WEBSOCKET_URL": f"ws://{netloc}/{LOCAL_STAGE}",
        "WEBSOCKET_MANAGEMENT_URL": f"http://{netloc}/{LOCAL_STAGE}",
        "TURN_URIS": "",
        # Web push: subscriptions may also point at the gateway's push-service stand-in
        # (infra.local.pushservice, under /_dev/push/); the VAPID key is in secrets.env above.
        "PUSH_DEV_ORIGIN": url,
        "POWERTOOLS_TRACE_DISABLED": "true",
        "POWERTOOLS_METRICS_DISABLED": "true",
        "POWERTOOLS_DEV": "false",
    }


def local_refs(template: Template, table_name: str, url: str) -> dict[str, str]:
    """What template references stand for locally."""
    refs = {
        "Stage": LOCAL_STAGE,
        "Table": table_name,
        "Table.Arn": table_arn(table_name),
        "UploadsBucket": LOCAL_BUCKET,
        "UploadsBucket.Arn": bucket_arn(LOCAL_BUCKET),
        "WebBaseUrl": url,
        "WebOrigin": url,
    }
    for api_type in ("AWS::Serverless::Api", "AWS::ApiGatewayV2::Api"):
        for logical_id, _ in template.resources_of_type(api_type):
            refs[logical_id] = api_id(logical_id)
    for logical_id, _ in template.resources_of_type("AWS::CloudFront::Distribution"):
        refs[f"{logical_id}.DomainName"] = urlsplit(url).netloc  # the gateway plays CloudFront
    return refs


@contextlib.contextmanager
def process_environment(values: Mapping[str, str]) -> Iterator[None]:
    saved = {name: os.environ.get(name) for name in values}
    os.environ.update(values)
    try:
        yield
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
