"""Reviews: one per learner per completed booking, editable for 7 days; one reply from the mentor.

The aggregates reviews feed (on the session and the mentor) are kept by peerlearn.feedback.aggregates.
"""

from __future__ import annotations

import logging
from typing import Any

from pynamodb.exceptions import DoesNotExist

from peerlearn import clock, ids, store, timeutil
from peerlearn.bookings.states import get_booking
from peerlearn.catalog import flags
from peerlearn.catalog.lookup import get_session_item
from peerlearn.errors import Conflict, Forbidden, NotFound
from peerlearn.feedback.schemas import (
    Reply,
    ReplyCreate,
    ReviewCreate,
    ReviewEdit,
    Reviewer,
    ReviewOut,
    ReviewPage,
)
from peerlearn.store import paging
from peerlearn.store.keys import (
    REVIEW_PREFIX,
    mentor_reviews_pk,
    review_sk,
    session_pk,
)
from peerlearn.store.models import ReviewItem

logger = logging.getLogger(__name__)

EDIT_WINDOW_SECONDS = 7 * 86400


def to_out(item: ReviewItem) -> ReviewOut:
    return ReviewOut(
        session_id=item.session_id,
        session_title=item.session_title,
        learner=Reviewer(id=item.learner_id, name=item.learner_name, avatar_url=None),
        rating=int(item.rating),
        text=item.text,
        created_at=item.created_at,
        edited_at=item.edited_at,
        reply=Reply(text=item.reply_text, created_at=item.reply_at or "") if item.reply_text else None,
    )


def _get(session_id: str, learner_id: str) -> ReviewItem:
    if not ids.is_id(learner_id):
        raise NotFound("No such review.")
    try:
        return ReviewItem.get(session_pk(session_id), review_sk(learner_id), consistent_read=True)
    except DoesNotExist as exc:
        raise NotFound("No such review.") from exc


def create_review(*, user_id: str, name: str, session_id: str, request: ReviewCreate) -> ReviewOut:
    session = get_session_item(session_id)
    booking = get_booking(session_id, user_id)
    if booking is None or booking.status != "completed":
        raise Forbidden("Only learners who attended this session can rate it.", code="not_attended")
    now = timeutil.now_iso()
    item = ReviewItem(
        session_pk(session_id),
        review_sk(user_id),
        session_id=session_id,
        session_title=session.title,
        mentor_id=session.mentor_id,
        learner_id=user_id,
        learner_name=name,
        rating=request.rating,
        text=request.text or None,
        version=1,
        created_at=now,
        gsi2pk=mentor_reviews_pk(session.mentor_id),
        gsi2sk=f"{now}#{session_id}#{user_id}",
    )
    with store.failed_condition_raises(
        Conflict("You've already rated this session; edit your review instead.", code="already_reviewed")
    ):
        item.save(condition=ReviewItem.pk.does_not_exist())
    logger.info("review created", extra={"session_id": session_id, "rating": request.rating})
    _flag_if_low(session_id, request.rating)
    return to_out(item)


# A rating this low is the nearest thing the product has to a complaint: an admin should look.
LOW_RATING = 2


def _flag_if_low(session_id: str, rating: int | None) -> None:
    if rating is not None and rating <= LOW_RATING:
        flags.raise_flag(session_id, "low_rating", f"A learner rated it {rating} of 5.")


def edit_review(*, user_id: str, session_id: str, request: ReviewEdit) -> ReviewOut:
    item = _get(session_id, user_id)
    sent = request.model_dump(exclude_unset=True)
    if "rating" in sent and sent["rating"] is None:
        sent.pop("rating")
    if not sent:
        return to_out(item)
    if clock.now_seconds() > timeutil.epoch(item.created_at) + EDIT_WINDOW_SECONDS:
        raise Conflict("Reviews can be edited for 7 days.", code="edit_window_closed")
    actions: list[Any] = [ReviewItem.edited_at.set(timeutil.now_iso()), ReviewItem.version.add(1)]
    if "rating" in sent:
        actions.append(ReviewItem.rating.set(sent["rating"]))
    if "text" in sent:
        actions.append(ReviewItem.text.set(sent["text"]) if sent["text"] else ReviewItem.text.remove())
    with store.failed_condition_raises(
        Conflict("Your review changed meanwhile; reload.", code="changed_meanwhile")
    ):
        item.update(actions=actions, condition=ReviewItem.version == item.version)
    _flag_if_low(session_id, sent.get("rating"))
    return to_out(item)


def reply(*, mentor_id: str, session_id: str, learner_id: str, request: ReplyCreate) -> ReviewOut:
    session = get_session_item(session_id)
    if session.mentor_id != mentor_id:
        raise Forbidden("Only the session's mentor can reply.")
    item = _get(session_id, learner_id)
    with store.failed_condition_raises(
        Conflict("You've already replied to this review.", code="already_replied")
    ):
        item.update(
            actions=[ReviewItem.reply_text.set(request.text), ReviewItem.reply_at.set(timeutil.now_iso())],
            condition=ReviewItem.reply_text.does_not_exist(),
        )
    return to_out(item)


def session_reviews(*, session_id: str, limit: int, cursor: str | None) -> ReviewPage:
    get_session_item(session_id)

    def run(start: dict[str, Any] | None) -> Any:
        return ReviewItem.query(
            session_pk(session_id),
            ReviewItem.sk.startswith(REVIEW_PREFIX),
            limit=limit,
            last_evaluated_key=start,
        )

    items, next_cursor = paging.page(run, cursor)
    return ReviewPage(items=[to_out(i) for i in items], next_cursor=next_cursor)


def mentor_reviews(*, mentor_id: str, limit: int, cursor: str | None) -> ReviewPage:
    def run(start: dict[str, Any] | None) -> Any:
        return ReviewItem.by_mentor.query(
            mentor_reviews_pk(mentor_id), scan_index_forward=False, limit=limit, last_evaluated_key=start
        )

    items, next_cursor = paging.page(run, cursor)
    return ReviewPage(items=[to_out(i) for i in items], next_cursor=next_cursor)
