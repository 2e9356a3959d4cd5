"""/api/me/dashboard and /api/mentor/dashboard: a learner's and a mentor's home, each one call.

Served by the dashboards function, which may only read (GetItem, Query, BatchGetItem): every figure
comes from the caller's own items, never a Scan.
"""

from __future__ import annotations

from aws_lambda_powertools.event_handler.api_gateway import Router

from peerlearn.api import SECURED, CallerDep
from peerlearn.dashboards import learner, mentor
from peerlearn.dashboards.schemas import LearnerDashboard, MentorDashboard

router = Router()


@router.get(
    "/api/me/dashboard",
    summary="Your learning at a glance: bookings, history, hours by tag, spending, ratings, receipts",
    tags=["dashboards"],
    security=SECURED,
)
def learner_dashboard(who: CallerDep) -> LearnerDashboard:
    who.require_role("learner", "mentor")  # whoever may book (admins can't)
    return learner.learner_dashboard(who.user_id)


@router.get(
    "/api/mentor/dashboard",
    summary="Your teaching at a glance: earnings, upcoming sessions and demand, ratings, performance",
    tags=["dashboards"],
    security=SECURED,
)
def mentor_dashboard(who: CallerDep) -> MentorDashboard:
    who.require_role("mentor")
    return mentor.mentor_dashboard(who.user_id)
