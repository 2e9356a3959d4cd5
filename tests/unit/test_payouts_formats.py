"""Bank-detail formats (property tests): what matches Razorpay's and the tax department's formats is
accepted in any case and with surrounding spaces, what doesn't is refused, and masking never shows
more than the last four characters."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from peerlearn.payouts.bank import masked
from peerlearn.payouts.schemas import PayoutAccountRequest

PAN = r"\A[A-Z]{5}[0-9]{4}[A-Z]\Z"
IFSC = r"\A[A-Z]{4}0[A-Z0-9]{6}\Z"
ACCOUNT = r"\A[0-9]{9,18}\Z"
VALID = {
    "legal_name": "Vikram Iyer",
    "pan": "ABCDE1234F",
    "account_number": "50100123456789",
    "ifsc": "HDFC0001234",
}


@given(
    pan=st.from_regex(PAN),
    ifsc=st.from_regex(IFSC),
    account=st.from_regex(ACCOUNT),
    lower=st.booleans(),
    pad=st.sampled_from(["", " ", "  "]),
)
def test_well_formed_details_are_accepted_in_any_case(
    pan: str, ifsc: str, account: str, lower: bool, pad: str
) -> None:
    sent = {"pan": pan.lower() if lower else pan, "ifsc": ifsc.lower() if lower else ifsc}
    details = PayoutAccountRequest(
        **{**VALID, **{k: pad + v + pad for k, v in sent.items()}, "account_number": account}
    )
    assert (details.pan, details.ifsc, details.account_number) == (pan, ifsc, account)


@given(st.text(min_size=0, max_size=12))
def test_anything_else_is_not_a_pan(text: str) -> None:
    import re

    if re.fullmatch(r"[A-Z]{5}[0-9]{4}[A-Z]", text.strip().upper()):
        return
    with pytest.raises(ValidationError):
        PayoutAccountRequest(**{**VALID, "pan": text})


@given(
    st.from_regex(r"\A[0-9]{1,8}\Z")
    | st.from_regex(r"\A[0-9]{19,25}\Z")
    | st.from_regex(r"\A[0-9]{5}[^0-9][0-9]{5}\Z")
)
def test_account_numbers_are_9_to_18_digits(account: str) -> None:
    with pytest.raises(ValidationError):
        PayoutAccountRequest(**{**VALID, "account_number": account})


@given(st.text(min_size=4, max_size=40))
def test_masking_shows_only_the_last_four(value: str) -> None:
    shown = masked(value, mask="*")
    assert shown.endswith(value[-4:])
    assert len(shown) == len(value)
    assert set(shown[:-4]) <= {"*"}
