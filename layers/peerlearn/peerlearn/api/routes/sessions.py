"""/api/sessions/*, /api/mentors/*, /api/me/bookings|sessions: the catalog, booking and feedback.

Each route checks who may call it (the authorizer only proves who the caller is) and calls one
domain function.
"""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from peerlearn.accounts.lookups import get_user
from peerlearn.api import SECURED, Caller, CallerDep, ClientDep, ContextDep
from peerlearn.bookings import cancelling, lists, seats, waitlist
from peerlearn.bookings.schemas import (
    AttendeeList,
    BookingOut,
    BookingPage,
    JoinAnswer,
    MyBookingState,
    WaitlistPosition,
)
from peerlearn.catalog import discovery, lifecycle, publishing, reading
from peerlearn.catalog.schemas import (
    MAX_PRICE_PAISE,
    DiscoveryQuery,
    SessionCreate,
    SessionOut,
    SessionPage,
    SessionUpdate,
)
from peerlearn.feedback import service as feedback
from peerlearn.feedback.schemas import ReplyCreate, ReviewCreate, ReviewEdit, ReviewOut, ReviewPage
from peerlearn.live import ending
from peerlearn.live import room as live_room

router = Router()

Limit = Annotated[int, Query(ge=1, le=50)]
Cursor = Annotated[str | None, Query(max_length=2000)]
When = Annotated[Literal["upcoming", "past"], Query()]


def _booker(who: Caller) -> seats.Booker:
    return seats.Booker(user_id=who.user_id, name=None, role=who.role, email_verified=who.email_verified)


# ---------------------------------------------------------------- the catalog
@router.get("/api/sessions", summary="Discover upcoming sessions", tags=["sessions"])
def list_sessions(
    ctx: ContextDep,
    q: Annotated[str | None, Query(max_length=100)] = None,
    tag: Annotated[str | None, Query(max_length=40)] = None,
    language: Annotated[str | None, Query(max_length=40)] = None,
    level: Annotated[Literal["beginner", "intermediate", "advanced"] | None, Query()] = None,
    mentor: Annotated[str | None, Query(max_length=40)] = None,
    free: Annotated[bool, Query()] = False,
    min_price: Annotated[int | None, Query(ge=0, le=MAX_PRICE_PAISE)] = None,
    max_price: Annotated[int | None, Query(ge=0, le=MAX_PRICE_PAISE)] = None,
    date_from: Annotated[str | None, Query(alias="from", max_length=10)] = None,
    date_to: Annotated[str | None, Query(alias="to", max_length=10)] = None,
    sort: Annotated[Literal["soonest", "price", "rating", "popularity"], Query()] = "soonest",
    limit: Limit = 12,
    cursor: Cursor = None,
) -> SessionPage:
    query = DiscoveryQuery(
        q=q or None,
        tag=tag or None,
        language=language or None,
        level=level,
        mentor=mentor or None,
        free=free,
        min_price=min_price,
        max_price=max_price,
        date_from=date_from or None,
        date_to=date_to or None,
        sort=sort,
        limit=limit,
        cursor=cursor,
    )
    return discovery.discover(ctx, query)


@router.post(
    "/api/sessions", summary="Publish a session (verified mentors)", tags=["sessions"], security=SECURED
)
def create_session(
    body: SessionCreate, who: CallerDep, ctx: ContextDep, client: ClientDep
) -> Response[SessionOut]:
    publishing.require_publisher(who.user_id, who.role, who.email_verified)
    created = publishing.create_session(ctx, mentor_id=who.user_id, request=body, client=client)
    return Response(201, content_types.APPLICATION_JSON, created)


@router.get("/api/sessions/<session_id>", summary="One session", tags=["sessions"])
def get_session(session_id: str, ctx: ContextDep) -> SessionOut:
    return reading.get_session(ctx, session_id)


@router.patch("/api/sessions/<session_id>", summary="Edit your session", tags=["sessions"], security=SECURED)
def update_session(session_id: str, body: SessionUpdate, who: CallerDep, ctx: ContextDep) -> SessionOut:
    return publishing.update_session(ctx, mentor_id=who.user_id, session_id=session_id, changes=body)


@router.delete(
    "/api/sessions/<session_id>",
    summary="Cancel your session (and its bookings)",
    tags=["sessions"],
    security=SECURED,
)
def cancel_session(session_id: str, who: CallerDep, ctx: ContextDep) -> SessionOut:
    return lifecycle.cancel_session(ctx, mentor_id=who.user_id, session_id=session_id)


@router.post(
    "/api/sessions/<session_id>/start", summary="Start your session", tags=["sessions"], security=SECURED
)
def start_session(session_id: str, who: CallerDep, ctx: ContextDep) -> SessionOut:
    return lifecycle.start_session(ctx, mentor_id=who.user_id, session_id=session_id)


@router.post(
    "/api/sessions/<session_id>/end", summary="End your session", tags=["sessions"], security=SECURED
)
def end_session(session_id: str, who: CallerDep, ctx: ContextDep) -> SessionOut:
    return ending.end_session(ctx, mentor_id=who.user_id, session_id=session_id)


# ---------------------------------------------------------------- booking
@router.post("/api/sessions/<session_id>/book", summary="Book a seat", tags=["bookings"], security=SECURED)
def book(session_id: str, who: CallerDep, client: ClientDep) -> Response[BookingOut]:
    booking, created = seats.book(booker=_booker(who), session_id=session_id, client=client)
    return Response(201 if created else 200, content_types.APPLICATION_JSON, booking)


@router.get(
    "/api/sessions/<session_id>/booking",
    summary="Your booking, waitlist place and the cancellation policy for a session",
    tags=["bookings"],
    security=SECURED,
)
def my_booking(session_id: str, who: CallerDep, ctx: ContextDep) -> MyBookingState:
    return lists.my_booking_state(
        user_id=who.user_id, session_id=session_id, cutoff_hours=ctx.settings.booking_cancel_cutoff_hours
    )


@router.post(
    "/api/sessions/<session_id>/booking/cancel",
    summary="Cancel your booking",
    tags=["bookings"],
    security=SECURED,
)
def cancel_my_booking(session_id: str, who: CallerDep, ctx: ContextDep) -> BookingOut:
    return cancelling.cancel_by_learner(
        user_id=who.user_id, session_id=session_id, cutoff_hours=ctx.settings.booking_cancel_cutoff_hours
    )


@router.delete(
    "/api/sessions/<session_id>/bookings/<learner_id>",
    summary="Cancel one learner's booking (the session's mentor)",
    tags=["bookings"],
    security=SECURED,
)
def cancel_attendee(session_id: str, learner_id: str, who: CallerDep) -> BookingOut:
    return cancelling.cancel_by_mentor(mentor_id=who.user_id, session_id=session_id, learner_id=learner_id)


@router.post(
    "/api/sessions/<session_id>/bookings/<learner_id>/no-show",
    summary="Mark that a learner didn't come (the session's mentor, after it ends)",
    tags=["bookings"],
    security=SECURED,
)
def mark_no_show(session_id: str, learner_id: str, who: CallerDep) -> BookingOut:
    return cancelling.mark_no_show(mentor_id=who.user_id, session_id=session_id, learner_id=learner_id)


@router.post(
    "/api/sessions/<session_id>/waitlist", summary="Join the waitlist", tags=["bookings"], security=SECURED
)
def join_waitlist(session_id: str, who: CallerDep) -> Response[WaitlistPosition]:
    position = waitlist.join_waitlist(booker=_booker(who), session_id=session_id)
    return Response(201, content_types.APPLICATION_JSON, position)


@router.delete(
    "/api/sessions/<session_id>/waitlist", summary="Leave the waitlist", tags=["bookings"], security=SECURED
)
def leave_waitlist(session_id: str, who: CallerDep) -> dict[str, str]:
    waitlist.leave_waitlist(user_id=who.user_id, session_id=session_id)
    return {"message": "You've left the waitlist."}


@router.post(
    "/api/sessions/<session_id>/join",
    summary="May I enter the room now?",
    tags=["bookings"],
    security=SECURED,
)
def join_room(session_id: str, who: CallerDep) -> JoinAnswer:
    return live_room.join_answer(user_id=who.user_id, role=who.role, session_id=session_id)


@router.get(
    "/api/sessions/<session_id>/attendees",
    summary="Who booked (the session's mentor)",
    tags=["bookings"],
    security=SECURED,
)
def attendees(session_id: str, who: CallerDep, ctx: ContextDep) -> AttendeeList:
    return lists.attendees(
        user_id=who.user_id, role=who.role, session_id=session_id, media_base_url=ctx.settings.media_base_url
    )


# ---------------------------------------------------------------- feedback
@router.get("/api/sessions/<session_id>/reviews", summary="Reviews of a session", tags=["feedback"])
def session_reviews(session_id: str, limit: Limit = 20, cursor: Cursor = None) -> ReviewPage:
    return feedback.session_reviews(session_id=session_id, limit=limit, cursor=cursor)


@router.post(
    "/api/sessions/<session_id>/reviews",
    summary="Rate a session you attended",
    tags=["feedback"],
    security=SECURED,
)
def create_review(session_id: str, body: ReviewCreate, who: CallerDep) -> Response[ReviewOut]:
    review = feedback.create_review(
        user_id=who.user_id,
        name=get_user(who.user_id).name,
        session_id=session_id,
        request=body,
    )
    return Response(201, content_types.APPLICATION_JSON, review)


@router.patch(
    "/api/sessions/<session_id>/reviews/mine",
    summary="Edit your review (7 days)",
    tags=["feedback"],
    security=SECURED,
)
def edit_review(session_id: str, body: ReviewEdit, who: CallerDep) -> ReviewOut:
    return feedback.edit_review(user_id=who.user_id, session_id=session_id, request=body)


@router.post(
    "/api/sessions/<session_id>/reviews/<learner_id>/reply",
    summary="Reply to a review (the session's mentor, once)",
    tags=["feedback"],
    security=SECURED,
)
def reply(session_id: str, learner_id: str, body: ReplyCreate, who: CallerDep) -> ReviewOut:
    return feedback.reply(mentor_id=who.user_id, session_id=session_id, learner_id=learner_id, request=body)


# ---------------------------------------------------------------- mentors and history
@router.get("/api/mentors/<mentor_id>/sessions", summary="A mentor's upcoming sessions", tags=["sessions"])
def mentor_sessions(ctx: ContextDep, mentor_id: str, limit: Limit = 12, cursor: Cursor = None) -> SessionPage:
    query = DiscoveryQuery(mentor=mentor_id, limit=limit, cursor=cursor)
    return discovery.discover(ctx, query)


@router.get("/api/mentors/<mentor_id>/reviews", summary="Reviews of a mentor's sessions", tags=["feedback"])
def mentor_reviews(mentor_id: str, limit: Limit = 20, cursor: Cursor = None) -> ReviewPage:
    return feedback.mentor_reviews(mentor_id=mentor_id, limit=limit, cursor=cursor)


@router.get("/api/me/bookings", summary="Your bookings", tags=["bookings"], security=SECURED)
def my_bookings(
    who: CallerDep, when: When = "upcoming", limit: Limit = 20, cursor: Cursor = None
) -> BookingPage:
    return lists.my_bookings(user_id=who.user_id, when=when, limit=limit, cursor=cursor)


@router.get("/api/me/sessions", summary="Your sessions (mentors)", tags=["sessions"], security=SECURED)
def my_sessions(
    who: CallerDep, ctx: ContextDep, when: When = "upcoming", limit: Limit = 20, cursor: Cursor = None
) -> SessionPage:
    return reading.mentor_sessions(ctx, mentor_id=who.user_id, when=when, limit=limit, cursor=cursor)
