"""The look-alike skeleton (Unicode TS #39 over NFKC) and the one-script rule, as pure functions."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from peerlearn.accounts import confusables


@pytest.mark.parametrize(
    ("one", "other"),
    [
        ("asha@x.com", "\u0430sha@x.com"),  # Cyrillic a
        ("asha@x.com", "\uff41sha@x.com"),  # fullwidth a
        ("asha@x.com", "\U0001d41asha@x.com"),  # mathematical bold a
        ("asha@x.com", "ASHA@X.COM"),
        ("mike@x.com", "rnike@x.com"),
        ("paypal@x.com", "p\u0430yp\u0430l@x.com"),
        ("l1@x.com", "ll@x.com"),
    ],
)
def test_look_alikes_share_a_skeleton(one: str, other: str) -> None:
    assert confusables.skeleton(one) == confusables.skeleton(other)


@pytest.mark.parametrize(("one", "other"), [("asha@x.com", "usha@x.com"), ("ravi@x.com", "ravi2@x.com")])
def test_different_addresses_keep_different_skeletons(one: str, other: str) -> None:
    assert confusables.skeleton(one) != confusables.skeleton(other)


@given(st.text(max_size=40))
def test_the_skeleton_of_a_skeleton_is_itself(text: str) -> None:
    once = confusables.skeleton(text)
    assert confusables.skeleton(once) == once


def test_mixed_scripts_are_named_and_single_scripts_pass() -> None:
    assert confusables.mixed_scripts("p\u0430ypal") == {"LATIN", "CYRILLIC"}
    assert confusables.mixed_scripts("\u0430\u0448\u0430") == set()
    assert confusables.mixed_scripts("asha.rao+test-1") == set()
    assert confusables.mixed_scripts("\uff41sha") == set()  # fullwidth folds to Latin
