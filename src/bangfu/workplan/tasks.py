"""Background jobs (django-tasks). Nothing schedules by itself: cron runs
`bangfu send-reminders` daily, or enqueues `send_daily_reminders` (see docs/workplan.md)."""

from __future__ import annotations

from django_tasks import task

from bangfu.areas.models import Area
from bangfu.workplan.models import Plan
from bangfu.workplan.services import send_reminders


@task()
def send_daily_reminders() -> int:
    """Remind every county's units of last month's missing reports; safe to run any number of
    times a day (each user hears about each report once)."""
    sent = 0
    for county in Area.objects.filter(pk__in=Plan.objects.values("county_id")):
        sent += send_reminders(actor=None, county=county)
    return sent
