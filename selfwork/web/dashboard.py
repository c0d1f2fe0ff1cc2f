"""The operator's and the hosts' dashboard: volume, fees, exchanges, members, listings.

Staff see every community (or one, by filter) at ``/operator/dashboard/``; a
host sees their community at ``/c/<slug>/dashboard/``. Every number is grouped
in the database by the apps that own it; this module only lays the numbers out
as charts (``selfwork.web.charts``) with a table each, and as CSV.
"""

import csv
import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from selfwork.catalog.selectors import listings_by_mode
from selfwork.communities.models import Community, Mode
from selfwork.communities.selectors import community_get, member_is_host
from selfwork.conversations.selectors import active_members_by_period
from selfwork.core.errors import NotFound
from selfwork.core.periods import DEFAULT_DAYS, PERIODS, Bucket, Period
from selfwork.exchanges.selectors import counts_by_process, states_now
from selfwork.payments.selectors import payout_times, volume_by_period
from selfwork.web.charts import Chart, Series

DATE_FORMATS: dict[Bucket, str] = {"day": "M j", "week": "M j", "month": "M Y"}


def _label(day: dt.date, bucket: Bucket) -> str:
    return formats.date_format(day, DATE_FORMATS[bucket])


def _hours(seconds: float | None) -> float:
    return 0.0 if seconds is None else round(seconds / 3600, 2)


def _period_from(request: HttpRequest) -> Period:
    raw = request.GET.get("period", "")
    days = int(raw) if raw.isdigit() and len(raw) < 4 else DEFAULT_DAYS
    return Period.last(days, now=timezone.now())


def _volume_charts(period: Period, community) -> list[Chart]:
    rows = volume_by_period(
        since=period.since, bucket=period.bucket, community=community
    )
    starts = period.starts()
    labels = [_label(day, period.bucket) for day in starts]
    charts = []
    csv_rows = [
        [
            row.period.isoformat(),
            row.volume.unit,
            row.volume.amount,
            row.fees.amount,
            str(row.releases),
        ]
        for row in rows
    ]
    for unit in sorted({row.volume.unit for row in rows}):
        of_unit = {row.period: row for row in rows if row.volume.unit == unit}
        volume = [
            float(of_unit[d].volume.decimal) if d in of_unit else 0.0 for d in starts
        ]
        fees = [float(of_unit[d].fees.decimal) if d in of_unit else 0.0 for d in starts]
        charts.append(
            Chart(
                key="volume",
                title=_("Volume and fees in %(currency)s") % {"currency": unit},
                labels=labels,
                series=[Series(_("Volume"), volume), Series(_("Fees"), fees)],
                headers=[_("Period"), _("Volume"), _("Fees"), _("Releases")],
                rows=[
                    [
                        _label(day, period.bucket),
                        of_unit[day].volume.format(),
                        of_unit[day].fees.format(),
                        str(of_unit[day].releases),
                    ]
                    for day in starts
                    if day in of_unit
                ],
                csv_headers=["period", "currency", "volume", "fees", "releases"],
                csv_rows=csv_rows,
            )
        )
    if not charts:
        charts.append(
            Chart(
                key="volume",
                title=_("Volume and fees"),
                labels=labels,
                series=[Series(_("Volume"), [0.0] * len(starts))],
                headers=[_("Period"), _("Volume"), _("Fees"), _("Releases")],
                csv_headers=["period", "currency", "volume", "fees", "releases"],
            )
        )
    return charts


def _exchanges_chart(period: Period, community) -> Chart:
    rows = counts_by_process(
        since=period.since, bucket=period.bucket, community=community
    )
    starts = period.starts()
    started = dict.fromkeys(starts, 0)
    completed = dict.fromkeys(starts, 0)
    for row in rows:
        started[row.period] = started.get(row.period, 0) + row.started
        completed[row.period] = completed.get(row.period, 0) + row.completed
    return Chart(
        key="exchanges",
        title=_("Exchanges started and completed"),
        labels=[_label(day, period.bucket) for day in starts],
        series=[
            Series(_("Started"), [float(started[d]) for d in starts]),
            Series(_("Completed"), [float(completed[d]) for d in starts]),
        ],
        headers=[_("Period"), _("Process"), _("Started"), _("Completed")],
        rows=[
            [
                _label(row.period, period.bucket),
                row.process_name,
                str(row.started),
                str(row.completed),
            ]
            for row in sorted(rows, key=lambda r: (r.period, r.process_name))
        ],
        csv_headers=["period", "process", "started", "completed"],
        csv_rows=[
            [
                row.period.isoformat(),
                row.process_name,
                str(row.started),
                str(row.completed),
            ]
            for row in sorted(rows, key=lambda r: (r.period, r.process_name))
        ],
    )


def _counts_chart(key: str, title: str, header: str, counts, label) -> Chart:
    return Chart(
        key=key,
        title=title,
        kind="bars",
        labels=[label(name) for name, _n in counts],
        series=[Series(title, [float(n) for _name, n in counts])],
        headers=[header, _("Count")],
        rows=[[label(name), str(n)] for name, n in counts],
        csv_headers=[key.rstrip("s"), "count"],
        csv_rows=[[name, str(n)] for name, n in counts],
    )


def _payouts_chart(period: Period, community) -> Chart:
    times = payout_times(since=period.since, community=community)
    measures = [
        (_("Median"), "median", times.median),
        (_("90th percentile"), "p90", times.p90),
        (_("Longest"), "longest", times.longest),
    ]
    return Chart(
        key="payouts",
        title=ngettext(
            "Hours from release to payout (%(count)s payout)",
            "Hours from release to payout (%(count)s payouts)",
            times.count,
        )
        % {"count": times.count},
        kind="bars",
        labels=[name for name, _k, _v in measures],
        series=[Series(_("Hours"), [_hours(v) for _n, _k, v in measures])],
        headers=[_("Measure"), _("Hours")],
        rows=[
            [name, "—" if v is None else formats.number_format(_hours(v), 2)]
            for name, _k, v in measures
        ],
        csv_headers=["measure", "hours", "payouts"],
        csv_rows=[
            [
                "" if v is None else key,
                "" if v is None else str(_hours(v)),
                str(times.count),
            ]
            for _n, key, v in measures
        ],
    )


def _active_chart(period: Period, community) -> Chart:
    counts = active_members_by_period(
        since=period.since, bucket=period.bucket, community=community
    )
    starts = period.starts()
    return Chart(
        key="members",
        title=_("Active members"),
        labels=[_label(day, period.bucket) for day in starts],
        series=[Series(_("Active members"), [float(counts.get(d, 0)) for d in starts])],
        headers=[_("Period"), _("Active members")],
        rows=[[_label(d, period.bucket), str(counts.get(d, 0))] for d in starts],
        csv_headers=["period", "active_members"],
        csv_rows=[[d.isoformat(), str(counts.get(d, 0))] for d in starts],
    )


def _charts(period: Period, community) -> list[Chart]:
    modes = dict(Mode.choices)
    return [
        *_volume_charts(period, community),
        _exchanges_chart(period, community),
        _counts_chart(
            "states",
            _("Exchanges by state now"),
            _("State"),
            states_now(community=community),
            lambda state: state.replace("_", " "),
        ),
        _payouts_chart(period, community),
        _active_chart(period, community),
        _counts_chart(
            "modes",
            _("Active listings by mode"),
            _("Mode"),
            listings_by_mode(community=community),
            lambda mode: str(modes.get(mode, mode)),
        ),
    ]


def _csv(charts: list[Chart], key: str, name: str) -> HttpResponse:
    chosen = [chart for chart in charts if chart.key == key]
    if not chosen:
        raise Http404(_("No such chart."))
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}-{key}.csv"'
    writer = csv.writer(response)
    writer.writerow(chosen[0].csv_headers)
    # Charts split by currency share one set of rows: write them once.
    writer.writerows(chosen[0].csv_rows)
    return response


def _render(request, *, period, community, communities, scope) -> HttpResponse:
    charts = _charts(period, community)
    name = community.slug if community is not None else "all"
    if request.GET.get("format") == "csv":
        return _csv(charts, request.GET.get("chart", ""), f"selfwork-{name}")
    return render(
        request,
        "web/operator_dashboard.html",
        {
            "charts": charts,
            "period": period,
            "periods": list(PERIODS),
            "community": community,
            "communities": communities,
            "scope": scope,
        },
    )


@login_required
def operator_dashboard(request: HttpRequest) -> HttpResponse:
    """Every community's numbers (or one community's), for staff."""
    if not request.user.is_staff:
        raise PermissionDenied(
            _("Only the operator sees the dashboard of all communities.")
        )
    communities = list(Community.objects.only("slug", "name").order_by("name", "pk"))
    slug = request.GET.get("community", "")
    community = None
    if slug:
        community = next((c for c in communities if c.slug == slug), None)
        if community is None:
            raise Http404(_("No such community."))
    return _render(
        request,
        period=_period_from(request),
        community=community,
        communities=communities,
        scope="operator",
    )


@login_required
def community_dashboard(request: HttpRequest, slug: str) -> HttpResponse:
    """One community's numbers, for its hosts (and staff)."""
    try:
        community = community_get(slug=slug, viewer=request.user)
    except NotFound as exc:
        raise Http404(exc.detail) from exc
    if not request.user.is_staff and not member_is_host(
        community=community, member=request.user
    ):
        raise PermissionDenied(_("Only the community's hosts see its dashboard."))
    return _render(
        request,
        period=_period_from(request),
        community=community,
        communities=[],
        scope="community",
    )
