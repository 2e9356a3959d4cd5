"""A report by mentor names each row's mentor (their profile's current name) beside the id it is keyed
by; other dimensions carry no labels."""

from __future__ import annotations

import pytest

from peerlearn.analytics import reports
from peerlearn.context import Context
from peerlearn.store.analytics import india_today
from peerlearn.store.keys import USER_PROFILE_SK, user_pk
from peerlearn.store.models import UserItem
from tests.analytics_support import Story, fake_razorpay, tell_story
from tests.payments_support import FakeRazorpay


@pytest.fixture
def fake(monkeypatch: pytest.MonkeyPatch) -> FakeRazorpay:
    return fake_razorpay(monkeypatch)


@pytest.fixture
def story(ctx: Context, fake: FakeRazorpay) -> Story:
    return tell_story(ctx, fake)


def query(dimension: str) -> reports.ReportQuery:
    today = india_today()
    return reports.parse_query(metrics="gmv_paise", dimension=dimension, from_date=today, to_date=today)


def test_a_report_by_mentor_names_its_mentors_as_they_are_called_now(story: Story) -> None:
    profile = UserItem.get(user_pk(story.mentor_id), USER_PROFILE_SK)
    signed_up_as = profile.name
    before = reports.report(query("mentor"))
    profile.update(actions=[UserItem.name.set("Meera Nair")])

    after = reports.report(query("mentor"))

    assert [row.key for row in after.rows] == [story.mentor_id]
    assert before.labels == {story.mentor_id: signed_up_as}
    assert signed_up_as != "Meera Nair"
    assert after.labels == {story.mentor_id: "Meera Nair"}


@pytest.mark.parametrize("dimension", ["day", "tag", "language"])
def test_other_dimensions_carry_no_labels(story: Story, dimension: str) -> None:
    out = reports.report(query(dimension))
    assert out.rows
    assert out.labels == {}
