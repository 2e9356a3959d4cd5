"""The sandbox's keys and switches.

Keys come from the functions' local environment (so the SDK in a function and the sandbox agree);
switches start from `RAZORPAY_SANDBOX_*` variables (LocalStack `overrides`, `.env`) and can be
changed while the stack runs with `POST /_dev/razorpay/switches`. Times are compressed: Razorpay
retries webhooks for 24 hours and settles refunds in days; locally it is seconds.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from infra.local.environment import LOCAL_RAZORPAY_KEY_ID, LOCAL_RAZORPAYX_ACCOUNT_NUMBER

WEBHOOK_PATH = "/api/webhooks/razorpay"
ENV_PREFIX = "RAZORPAY_SANDBOX_"

REFUND_OUTCOMES = ("processed", "failed")
PAYOUT_OUTCOMES = ("processed", "reversed", "failed")


@dataclass(frozen=True)
class Keys:
    """What the sandbox checks and signs with; never printed (no repr of the secrets)."""

    key_id: str
    key_secret: str = dataclasses.field(repr=False)
    webhook_secret: str = dataclasses.field(repr=False)
    account_number: str
    webhook_url: str

    @classmethod
    def from_env(cls, env: Mapping[str, str], gateway_url: str) -> Keys:
        return cls(
            key_id=env.get("RAZORPAY_KEY_ID") or LOCAL_RAZORPAY_KEY_ID,
            key_secret=env["RAZORPAY_KEY_SECRET"],
            webhook_secret=env["RAZORPAY_WEBHOOK_SECRET"],
            account_number=env.get("RAZORPAYX_ACCOUNT_NUMBER") or LOCAL_RAZORPAYX_ACCOUNT_NUMBER,
            webhook_url=env.get(f"{ENV_PREFIX}WEBHOOK_URL") or f"{gateway_url}{WEBHOOK_PATH}",
        )


@dataclass
class Switches:
    """How the sandbox misbehaves (for tests and for trying things out). Field = switch name."""

    duplicates: int = 0  # extra copies of every webhook (same event id, same body)
    reorder: bool = False  # events raised together (authorized, captured, order.paid) go last-first
    delay_seconds: float = 0.0  # before a webhook's first attempt
    refund_outcome: str = "processed"  # what a pending refund becomes: processed | failed
    payout_outcome: str = "processed"  # what a processing payout becomes: processed | reversed | failed
    settle_seconds: float = 0.5  # pending refund / processing payout -> final
    late_seconds: float = 1.0  # a `late` payment authorises this long after it failed...
    late_minutes: int = 1  # ...counted as this many minutes after it was made (the capture window)
    retry_base_seconds: float = 0.5  # webhook backoff: base * 2 ** (attempt - 1)
    max_attempts: int = 6  # then the delivery is `failed` (Razorpay: 24 hours of retries)
    timeout_seconds: float = 5.0  # a slower answer is a failed attempt, as at Razorpay
    fail_api_calls: int = 0  # the next N API calls answer 500 SERVER_ERROR (GatewayUnavailable)

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Switches:
        switches = cls()
        values = {
            field.name: env[f"{ENV_PREFIX}{field.name.upper()}"]
            for field in dataclasses.fields(cls)
            if f"{ENV_PREFIX}{field.name.upper()}" in env
        }
        switches.update(values)
        return switches

    def update(self, values: Mapping[str, Any]) -> None:
        """Sets switches from JSON or text values; ValueError names the first bad one (nothing set)."""
        fields = {field.name: field for field in dataclasses.fields(self)}
        parsed: dict[str, Any] = {}
        for name, value in values.items():
            if name not in fields:
                raise ValueError(f"unknown switch {name!r}; known: {', '.join(fields)}")
            parsed[name] = _parse(name, fields[name].type, value)
        for name, value in parsed.items():
            setattr(self, name, value)

    def as_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def _parse(name: str, kind: Any, value: Any) -> Any:
    kind = kind if isinstance(kind, str) else kind.__name__
    try:
        if kind == "bool":
            if isinstance(value, bool):
                return value
            text = str(value).strip().lower()
            if text not in ("true", "false", "1", "0", "on", "off", "yes", "no", ""):
                raise ValueError
            return text in ("true", "1", "on", "yes")
        if kind == "int":
            if isinstance(value, bool) or (isinstance(value, float) and not value.is_integer()):
                raise ValueError
            number = int(value)
            if number < 0:
                raise ValueError
            return number
        if kind == "float":
            seconds = float(value)
            if not 0 <= seconds <= 3600:
                raise ValueError
            return seconds
    except (TypeError, ValueError):
        raise ValueError(f"switch {name}: {value!r} is not a valid {kind} (>= 0)") from None
    choices = {"refund_outcome": REFUND_OUTCOMES, "payout_outcome": PAYOUT_OUTCOMES}[name]
    if value not in choices:
        raise ValueError(f"switch {name}: {value!r} is not one of {', '.join(choices)}")
    return value
