"""A mentor's payout account: bank details checked, sealed and kept; shown masked; registered with
RazorpayX as a contact and a fund account (again later from the sealed copy if Razorpay was down)."""

from __future__ import annotations

import base64
import json
import logging

from pynamodb.exceptions import DoesNotExist

from peerlearn import clock, store
from peerlearn.adapters.razorpay import GatewayRefused, GatewayUnavailable
from peerlearn.errors import BadRequest, Conflict, NotFound
from peerlearn.payouts import limits
from peerlearn.payouts.schemas import PayoutAccountOut, PayoutAccountRequest
from peerlearn.payouts.sealing import Sealed, seal, unseal
from peerlearn.payouts.wiring import Payouts
from peerlearn.store.keys import PAYOUT_ACCOUNT_SK, user_pk
from peerlearn.store.models import PayoutAccountItem

logger = logging.getLogger(__name__)


def _context(mentor_id: str) -> dict[str, str]:
    return {"purpose": "payout_account", "mentor_id": mentor_id}


def masked(value: str, *, mask: str) -> str:
    """The last four characters, the rest hidden: `******234F`."""
    return mask * max(0, len(value) - 4) + value[-4:]


def to_out(item: PayoutAccountItem) -> PayoutAccountOut:
    return PayoutAccountOut(
        legal_name=item.legal_name,
        pan_masked=masked("x" * 6 + item.pan_last4, mask="*"),
        account_masked="••••" + item.account_last4,
        ifsc=item.ifsc,
        ready=bool(item.fund_account_id),
        updated_at=item.updated_at,
    )


def get_account_item(mentor_id: str) -> PayoutAccountItem | None:
    try:
        return PayoutAccountItem.get(user_pk(mentor_id), PAYOUT_ACCOUNT_SK, consistent_read=True)
    except DoesNotExist:
        return None


def get_account(mentor_id: str) -> PayoutAccountOut:
    item = get_account_item(mentor_id)
    if item is None:
        raise NotFound("You haven't set up payouts yet.", code="no_payout_account")
    return to_out(item)


def set_account(payouts: Payouts, *, mentor_id: str, details: PayoutAccountRequest) -> PayoutAccountOut:
    """Seals and keeps the details, and registers them with RazorpayX (a new fund account each time:
    Razorpay's fund accounts can't be edited). Razorpay being down doesn't lose the change."""
    now = clock.now_seconds()
    limits.spend_account_change(mentor_id, now)
    previous = get_account_item(mentor_id)
    sealed = seal(payouts.keys, json.dumps(details.model_dump()).encode(), _context(mentor_id))
    at = clock.iso(now)
    item = PayoutAccountItem(
        user_pk(mentor_id),
        PAYOUT_ACCOUNT_SK,
        mentor_id=mentor_id,
        legal_name=details.legal_name,
        pan_last4=details.pan[-4:],
        account_last4=details.account_number[-4:],
        ifsc=details.ifsc,
        sealed_details=base64.b64encode(sealed.ciphertext).decode(),
        wrapped_key=base64.b64encode(sealed.wrapped_key).decode(),
        key_source=sealed.key_source,
        contact_id=previous.contact_id if previous else None,
        fund_account_id=None,
        created_at=previous.created_at if previous else at,
        updated_at=at,
    )
    try:
        _register(payouts, item, details)
    except GatewayUnavailable:
        logger.warning("razorpay down: fund account to be created at the first payout")
    item.save()
    logger.info("payout account set", extra={"mentor_id": mentor_id, "ready": bool(item.fund_account_id)})
    # Where money goes is what a stolen sign-in would change: the item's change tells the owner
    # (peerlearn.notices), whichever way it was made.
    return to_out(item)


def _register(payouts: Payouts, item: PayoutAccountItem, details: PayoutAccountRequest) -> None:
    """Contact (once per mentor) and fund account at RazorpayX, their ids kept on `item`."""
    try:
        if not item.contact_id:
            contact = payouts.gateway.create_contact(name=details.legal_name, reference_id=item.mentor_id)
            item.contact_id = str(contact["id"])
        fund_account = payouts.gateway.create_fund_account(
            contact_id=item.contact_id,
            name=details.legal_name,
            ifsc=details.ifsc,
            account_number=details.account_number,
        )
    except GatewayRefused as exc:
        raise BadRequest(
            "Razorpay did not accept these bank details; check the account number and IFSC.",
            code="bank_details_refused",
        ) from exc
    item.fund_account_id = str(fund_account["id"])


def details_of(payouts: Payouts, item: PayoutAccountItem) -> PayoutAccountRequest:
    """The bank details, unsealed (only the payouts function holds the key that opens them)."""
    sealed = Sealed(
        ciphertext=base64.b64decode(item.sealed_details),
        wrapped_key=base64.b64decode(item.wrapped_key),
        key_source=item.key_source,
    )
    plain = unseal(payouts.keys, sealed, _context(item.mentor_id))
    return PayoutAccountRequest.model_validate_json(plain)


def fund_account_id(payouts: Payouts, mentor_id: str) -> str | None:
    """Where to pay `mentor_id`: the fund account, registered now from the sealed details if setting
    up missed Razorpay. None when there is no payout account. May raise GatewayUnavailable."""
    item = get_account_item(mentor_id)
    if item is None:
        return None
    if not item.fund_account_id:
        _register(payouts, item, details_of(payouts, item))
        changed = Conflict("The payout account changed just now; try again.", code="payout_account_changed")
        with store.failed_condition_raises(changed):
            item.update(
                actions=[
                    PayoutAccountItem.contact_id.set(item.contact_id),
                    PayoutAccountItem.fund_account_id.set(item.fund_account_id),
                ],
                condition=PayoutAccountItem.updated_at == item.updated_at,  # not over a newer account
            )
    return item.fund_account_id
