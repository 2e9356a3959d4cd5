"""A Razorpay sandbox in the local stack: what the product calls at Razorpay, with Razorpay's shapes,
ids, rules, errors and Basic auth, so the real `razorpay` SDK works against it unchanged.

Always created (the template declares no event for it). Mounted on the gateway:
- `/_razorpay/v1/...`: orders, payments, refunds, RazorpayX contacts / fund accounts / payouts and
  the settlement recon report (`api`, over `payments`, `payouts`, `recon`);
- `/_razorpay/checkout.js`: a stand-in for Razorpay's Checkout script (same origin, strict-CSP safe);
- `/_dev/razorpay`, `/_dev/razorpay.json`, `POST /_dev/razorpay/pay | switches |
  deliveries/{id}/resend` (`dev`).
Webhooks go to `<gateway>/api/webhooks/razorpay` through the gateway, signed, at least once
(`webhooks`); switches (`settings`) add duplicates, reordering, delays and failures. Records persist
in `<data dir>/razorpay/state.json` (`books`). Keys: the functions' RAZORPAY_* environment.
"""

from __future__ import annotations

from starlette.routing import BaseRoute

from infra.local.environment import local_secrets
from infra.local.triggers import TriggerContext
from infra.local.triggers.razorpay.api import Api
from infra.local.triggers.razorpay.dev import DevPages
from infra.local.triggers.razorpay.sandbox import Sandbox
from infra.local.triggers.razorpay.settings import Keys, Switches


class RazorpayTrigger:
    name = "razorpay"

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox

    def routes(self) -> list[BaseRoute]:
        return Api(self.sandbox).routes() + DevPages(self.sandbox).routes()

    def start(self) -> None:
        self.sandbox.start()

    def stop(self) -> None:
        self.sandbox.stop()

    def await_idle(self, timeout: float) -> None:
        self.sandbox.await_idle(timeout)


def create(context: TriggerContext) -> RazorpayTrigger:
    env = {**local_secrets(context.data_dir), **context.env}
    keys = Keys.from_env(env, context.url)
    sandbox = Sandbox(keys, Switches.from_env(env), state_path=context.data_dir / "razorpay" / "state.json")
    return RazorpayTrigger(sandbox)
