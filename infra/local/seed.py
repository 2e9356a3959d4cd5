"""Demo data for `make dev`: a small community with known passwords: six mentors, forty learners with
interests, thirty upcoming sessions over a dozen topics, and two months of past sessions booked, run
and rated, so recommendations, trending and "what learners want" have something to show. On the
community, a share of the past sessions is paid and their learners paid through Checkout "days ago",
and a few got a gift, so the revenue charts, learners' spending and receipts and mentors' earnings
have something too.

Idempotent: accounts that already exist are left alone, and sessions are made once per data
directory, so restarting keeps the data. Everything goes through the domain functions.
"""

from __future__ import annotations

import contextlib
import random
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from infra.local.seed_data import (
    COMMUNITY_ACCOUNTS,
    COMMUNITY_SEED,
    COMMUNITY_SESSIONS,
    DEMO_ACCOUNTS,
    DEMO_BOOKINGS,
    DEMO_LEARNERS,
    DEMO_PASSWORD,
    DEMO_SESSIONS,
    FULL_WITH_WAITLIST,
    SEED_CLIENT,
)
from infra.local.seed_past import DEMO_PAST, MORE_PAST, PAST_CAPACITY, PAST_GIFTS, PAST_PRICES, REVIEW_TEXTS

# Checkout in the Razorpay sandbox: an order id -> what Checkout's success handler gets.
Checkout = Callable[[str], dict[str, Any]]
# Long enough for the seed to verify each payment itself first (see `_webhooks_late`).
WEBHOOK_DELAY_SECONDS = 30.0


def seed_stack(stack: Any, *, community: bool = True) -> list[str]:
    """Seeds a running `LocalStack` with its scheduled runs held meanwhile: the every-minute sweep
    starts any session whose time has come, and a past session is published and booked "days ago"
    a moment apart in real time (on a slow machine the sweep's first run fell between them).
    The community's paid past sessions are paid in the stack's Razorpay sandbox."""
    with contextlib.ExitStack() as held:
        held.enter_context(stack.schedules_held())
        checkout: Checkout | None = None
        if community:
            held.enter_context(_webhooks_late(stack.razorpay))
            checkout = stack.razorpay.pay
        return seed(stack.settings_env, community=community, checkout=checkout)


@contextlib.contextmanager
def _webhooks_late(sandbox: Any) -> Iterator[None]:
    """The sandbox's webhooks held back a while: the seed verifies each payment under its shifted
    clock ("days ago"); a payment.captured arriving first would be settled by the webhook function at
    today's time, find the seat's hold long run out and date the money today. Arriving later, it
    finds the payment settled and changes nothing (settling is idempotent)."""
    before = sandbox.switches.delay_seconds
    sandbox.switches.delay_seconds = max(before, WEBHOOK_DELAY_SECONDS)
    try:
        yield
    finally:
        sandbox.switches.delay_seconds = before


def seed(
    settings_env: dict[str, str], *, community: bool = True, checkout: Checkout | None = None
) -> list[str]:
    """Creates the demo accounts and sessions that are missing; returns lines to print.

    `community=False` makes the first few accounts and sessions only: the community is hundreds of
    writes, and moto copies the whole table on every transaction (unit tests use that; the
    integration test and `make dev` seed everything against DynamoDB Local).
    With `checkout` (the running stack's sandbox), the past sessions in `PAST_PRICES` are paid for;
    without it every past session is free.
    """
    from peerlearn.accounts import service
    from peerlearn.adapters.razorpay import Razorpay
    from peerlearn.config import RazorpaySettings, Settings
    from peerlearn.context import build_context

    gateway = Razorpay(RazorpaySettings.from_env(settings_env)) if checkout is not None else None
    ctx = build_context(Settings.from_env(settings_env), gateway=gateway)
    _USERS.clear()  # ids from another table (an earlier run in this process) mean nothing here
    accounts = DEMO_ACCOUNTS + (COMMUNITY_ACCOUNTS if community else [])
    missing = [a for a in accounts if service.find_user_by_email(a["email"]) is None]
    # Each account costs a scrypt (~0.25 s), which lets go of the GIL: two at a time halve the wait
    # on 2 cores. The lookups above have made the store's client, so the threads share a ready one.
    # moto (unit tests: no endpoint) is not thread-safe: two transactions at once corrupt its table.
    workers = 2 if ctx.settings.dynamodb_endpoint else 1
    with ThreadPoolExecutor(max_workers=workers) as pool:
        list(pool.map(lambda a: service.create_account(password=DEMO_PASSWORD, verified=True, **a), missing))
    created = len(missing)
    sessions = _seed_sessions(ctx, community=community, checkout=checkout)
    lines = [f"Demo accounts ({created} created now), password '{DEMO_PASSWORD}':"]
    lines += [f"  {a['role']:<8} {a['email']}" for a in accounts if a not in DEMO_LEARNERS]
    if community:
        lines.append(f"  and {len(DEMO_LEARNERS)} more learners, e.g. {DEMO_LEARNERS[0]['email']}")
    lines.append(f"Demo sessions: {sessions} created now.")
    return lines


_USERS: dict[str, Any] = {}


def _user(email: str) -> Any:
    """The account of `email` (read once per run: the seed looks learners up many times)."""
    from peerlearn.accounts import service

    if email not in _USERS:
        user = service.find_user_by_email(email)
        assert user is not None, email
        _USERS[email] = user
    return _USERS[email]


def _local_in(minutes: int) -> str:
    """Wall-clock time in India `minutes` from the (possibly shifted) clock, as the session form sends it."""
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    from peerlearn import clock

    moment = datetime.fromtimestamp(clock.now_seconds() + minutes * 60, tz=UTC)
    return moment.astimezone(ZoneInfo("Asia/Kolkata")).strftime("%Y-%m-%dT%H:%M")


def _publish(ctx: Any, email: str, title: str, tags: list[str], minutes_ahead: int, **fields: Any) -> str:
    from peerlearn.catalog import publishing
    from peerlearn.catalog.schemas import SessionCreate

    request = SessionCreate(
        title=title,
        description=f"{title}. Bring your questions.",
        tags=tags,
        starts_at_local=_local_in(minutes_ahead),
        timezone="Asia/Kolkata",
        **fields,
    )
    return publishing.create_session(ctx, mentor_id=_user(email).id, request=request, client=SEED_CLIENT).id


def _booker(email: str) -> Any:
    from peerlearn.bookings import seats

    learner = _user(email)
    return seats.Booker(user_id=learner.id, name=learner.name, role=learner.role, email_verified=True)


def _book(email: str, session_id: str) -> None:
    from peerlearn.bookings import seats

    seats.book(booker=_booker(email), session_id=session_id, client=SEED_CLIENT)


def _pay(ctx: Any, email: str, session_id: str, checkout: Checkout) -> None:
    """What the browser does for a held seat: the order, Checkout in the sandbox, then verify."""
    from peerlearn.payments import orders
    from peerlearn.payments.schemas import BookingOrderRequest, BookingVerifyRequest

    learner_id = _user(email).id
    order = orders.create_booking_order(
        ctx, learner_id=learner_id, request=BookingOrderRequest(session_id=session_id)
    )
    paid = checkout(order.order_id)
    request = BookingVerifyRequest(session_id=session_id, **paid)
    answer = orders.verify_booking(ctx, learner_id=learner_id, request=request)
    if answer.status != "confirmed":
        raise RuntimeError(f"the seed's payment for {email} was not confirmed: {answer.message}")


def _gift(ctx: Any, email: str, session_id: str, amount_paise: int, checkout: Checkout) -> None:
    """What the room's gift button does for a live session: the order, Checkout, then verify."""
    from peerlearn.payments import gifts
    from peerlearn.payments.schemas import GiftRequest, GiftVerifyRequest

    learner_id = _user(email).id
    request = GiftRequest(session_id=session_id, amount_paise=amount_paise, message="Thank you!")
    order = gifts.create_gift_order(ctx, learner_id=learner_id, request=request)
    verify = GiftVerifyRequest(gift_id=order.reference, **checkout(order.order_id))
    answer = gifts.verify_gift(ctx, learner_id=learner_id, request=verify)
    if answer.status != "confirmed":
        raise RuntimeError(f"the seed's gift from {email} was not confirmed: {answer.message}")


def _run_past(
    ctx: Any,
    email: str,
    title: str,
    tags: list[str],
    days_ago: int,
    reviews: Sequence[tuple[str, int, str | None]],
    checkout: Checkout | None,
) -> None:
    """A session published and booked (and paid for, when it has a price in `PAST_PRICES` and there
    is a `checkout`) an hour before it began `days_ago` days ago, run for an hour (its first learner
    sending a gift when it is in `PAST_GIFTS`), then rated by its learners (a rating of 0 means the
    learner left none)."""
    from peerlearn import clock, reactions
    from peerlearn.catalog import lifecycle, lookup
    from peerlearn.feedback import service as feedback
    from peerlearn.feedback.schemas import ReviewCreate

    mentor = _user(email)
    starts_in = 60
    price = PAST_PRICES.get(title, 0) if checkout is not None else 0
    with clock.shifted(-days_ago * 86400 - starts_in * 60):
        session_id = _publish(
            ctx,
            email,
            title,
            tags,
            starts_in,
            level="beginner",
            duration_minutes=60,
            capacity=PAST_CAPACITY,
            price_paise=price,
        )
        for learner_email, _rating, _text in reviews:
            _book(learner_email, session_id)
            if checkout is not None and price:
                _pay(ctx, learner_email, session_id, checkout)
    with clock.shifted(-days_ago * 86400):
        lifecycle.start_session(ctx, mentor_id=mentor.id, session_id=session_id)
        if checkout is not None and price and title in PAST_GIFTS:
            _gift(ctx, reviews[0][0], session_id, PAST_GIFTS[title], checkout)
    with clock.shifted(-days_ago * 86400 + 60 * 60):
        before = lookup.get_session_item(session_id, consistent=True).attribute_values.copy()
        lifecycle.end_session(ctx, mentor_id=mentor.id, session_id=session_id)
        after = lookup.get_session_item(session_id, consistent=True).attribute_values
        # What the stream consumer does with this change (it may do it too: it is idempotent),
        # here at once so the reviews below find completed bookings.
        reactions.on_session_changed(before, after)
        for learner_email, rating, text in reviews:
            if rating:
                learner = _user(learner_email)
                feedback.create_review(
                    user_id=learner.id,
                    name=learner.name,
                    session_id=session_id,
                    request=ReviewCreate(rating=rating, text=text),
                )


def _follows(account: dict[str, Any], tags: list[str]) -> bool:
    interests = {tag.lower() for tag in account.get("interests", [])}
    return any(tag.lower() in interests for tag in tags)


def _past_learners(rng: random.Random, tags: list[str]) -> list[tuple[str, int, str | None]]:
    """Who came to a past session on `tags` and how they rated it: some who follow a tag, one other."""
    learners = [a for a in DEMO_ACCOUNTS + DEMO_LEARNERS if a["role"] == "learner"]
    fans = [a["email"] for a in learners if _follows(a, tags)]
    others = [a["email"] for a in learners if a["email"] not in fans]
    came = rng.sample(fans, min(len(fans), PAST_CAPACITY - 1)) + rng.sample(others, 1)
    return [(email, rng.choice([5, 5, 5, 4, 4, 3, 0]), rng.choice(REVIEW_TEXTS)) for email in came]


def _seed_sessions(ctx: Any, *, community: bool, checkout: Checkout | None) -> int:
    """Upcoming sessions (some booked, one full with a waitlist) and past ones with reviews, once per
    data directory.

    Everything goes through the domain functions a request uses; past sessions are published,
    booked, run and reviewed under a shifted clock, so demo data can't drift from real data.
    """
    from peerlearn.store.keys import mentor_sessions_pk
    from peerlearn.store.models import SessionItem

    vikram = _user("vikram@peerlearn.example")
    if next(iter(SessionItem.by_mentor.query(mentor_sessions_pk(vikram.id), limit=1)), None) is not None:
        return 0

    upcoming = DEMO_SESSIONS + (COMMUNITY_SESSIONS if community else [])
    titles: dict[str, str] = {}
    for email, title, tags, level, language, hours, minutes, capacity, price in upcoming:
        titles[title] = _publish(
            ctx,
            email,
            title,
            tags,
            hours * 60 + 30,
            level=level,
            language=language,
            duration_minutes=minutes,
            capacity=capacity,
            price_paise=price,
        )
    for email, title in DEMO_BOOKINGS:
        _book(email, titles[title])

    for days_ago, (email, title, tags, reviews) in enumerate(DEMO_PAST, start=3):
        _run_past(ctx, email, title, tags, days_ago, reviews, checkout)
    if not community:
        return len(upcoming) + len(DEMO_PAST)
    rng = random.Random(COMMUNITY_SEED)  # noqa: S311  (who came to what in demo data, no secret)
    for email, title, tags, days_ago in MORE_PAST:
        _run_past(ctx, email, title, tags, days_ago, _past_learners(rng, tags), checkout)
    _book_upcoming(rng, titles)
    return len(upcoming) + len(DEMO_PAST) + len(MORE_PAST)


def _book_upcoming(rng: random.Random, titles: dict[str, str]) -> None:
    """Each generated learner books a free upcoming session on one of their topics (while seats
    last); one session fills up and three more learners join its waitlist."""
    from peerlearn.bookings import waitlist

    upcoming = DEMO_SESSIONS + COMMUNITY_SESSIONS
    seats = {title: capacity for _e, title, _t, _l, _g, _h, _m, capacity, _p in upcoming}
    for _email, title in DEMO_BOOKINGS:
        seats[title] -= 1
    free = [(title, tags) for _e, title, tags, *_rest, price in upcoming if price == 0]
    queue = [a["email"] for a in DEMO_LEARNERS if _follows(a, ["Interviews", "Career"])]
    for email in queue[:2]:
        _book(email, titles[FULL_WITH_WAITLIST])
    for email in queue[2:5]:
        waitlist.join_waitlist(booker=_booker(email), session_id=titles[FULL_WITH_WAITLIST])
    seats[FULL_WITH_WAITLIST] = 0
    for account in DEMO_LEARNERS:
        choices = [title for title, tags in free if seats[title] > 0 and _follows(account, tags)]
        for title in rng.sample(choices, min(len(choices), rng.choice([1, 1, 2]))):
            _book(account["email"], titles[title])
            seats[title] -= 1
