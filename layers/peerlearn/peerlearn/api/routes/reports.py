"""/api/admin/reports and /api/admin/stats/today: the analytics rollups for admins (Queries only)."""

from __future__ import annotations

from typing import Annotated, Literal

from aws_lambda_powertools.event_handler import Response, content_types
from aws_lambda_powertools.event_handler.api_gateway import Router
from aws_lambda_powertools.event_handler.openapi.params import Query

from peerlearn.analytics import reports
from peerlearn.analytics.schemas import ReportOut, TodayOut
from peerlearn.api import SECURED, CallerDep

router = Router()


@router.get(
    "/api/admin/reports",
    summary="Chosen metrics over a date range by day, week, month, tag, mentor or language (JSON or CSV)",
    tags=["admin"],
    security=SECURED,
    responses={
        200: {
            "description": "The report: rows and totals (the totals equal the ledger's for money)",
            "content": {"application/json": {"model": ReportOut}, "text/csv": {}},
        }
    },
)
def report(
    who: CallerDep,
    metrics: Annotated[str, Query(min_length=1, max_length=400, description="e.g. gmv_paise,bookings")],
    dimension: Annotated[str, Query(max_length=20, description="day, week, month, tag, mentor or language")],
    date_from: Annotated[str, Query(alias="from", max_length=10, description="YYYY-MM-DD (India)")],
    date_to: Annotated[str, Query(alias="to", max_length=10, description="YYYY-MM-DD, inclusive")],
    format: Annotated[Literal["json", "csv"], Query()] = "json",
) -> Response[str]:
    who.require_role("admin")
    query = reports.parse_query(metrics=metrics, dimension=dimension, from_date=date_from, to_date=date_to)
    out = reports.report(query)
    if format == "csv":
        return Response(
            200,
            "text/csv; charset=utf-8",
            reports.to_csv(out),
            headers={"Content-Disposition": f'attachment; filename="{reports.csv_filename(out)}"'},
        )
    return Response(200, content_types.APPLICATION_JSON, out.model_dump_json())


@router.get(
    "/api/admin/stats/today",
    summary="Today's bookings, active users and revenue (India's day, from the rollups)",
    tags=["admin"],
    security=SECURED,
)
def stats_today(who: CallerDep) -> TodayOut:
    who.require_role("admin")
    return reports.today()
