"""Benchmark of project funds: paying disbursements (two approvals each, ledger lock), reading the
balances of many projects at once, and writing the xlsx reports.

Runs on a throw-away SQLite database in a temporary directory, or on the PostgreSQL database named
by BANGFU_BENCH_DATABASE_URL (it creates rows there: use an empty scratch database).

    .venv/bin/python bench/projects_funds.py [projects]
"""

from __future__ import annotations

import os
import sys
import tempfile
import time
from decimal import Decimal

PROJECTS = int(sys.argv[1]) if len(sys.argv) > 1 else 300

os.environ["DATABASE_URL"] = os.environ.get("BANGFU_BENCH_DATABASE_URL") or ""
if not os.environ["DATABASE_URL"]:
    os.environ["BANGFU_DATA_DIR"] = tempfile.mkdtemp(prefix="bangfu-bench-")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bangfu.settings")
os.environ.setdefault("BANGFU_DEBUG", "1")
os.environ.setdefault("BANGFU_TODAY", "2020-07-15")
os.environ.setdefault("BANGFU_LOG_LEVEL", "WARNING")

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402

from bangfu.accounts.models import Role, User  # noqa: E402
from bangfu.accounts.services import create_user  # noqa: E402
from bangfu.areas.models import Area  # noqa: E402
from bangfu.core.demo import seed_demo  # noqa: E402
from bangfu.partners.models import Organisation  # noqa: E402
from bangfu.projects.models import Category, FundSource, Project, ProjectKind, ProjectStatus  # noqa: E402
from bangfu.projects.reports import fund_flow_xlsx, project_ledger_xlsx  # noqa: E402
from bangfu.projects.selectors import fund_figures  # noqa: E402
from bangfu.projects.services import (  # noqa: E402
    approve_disbursement,
    change_project_status,
    create_project,
    record_allocation,
    request_disbursement,
)


def timed(label: str, count: int, func) -> object:
    start = time.perf_counter()
    result = func()
    elapsed = time.perf_counter() - start
    rate = f", {count / elapsed:,.0f}/s" if count > 1 else ""
    print(f"{label:<48} {elapsed * 1000:10,.1f} ms{rate}")
    return result


def main() -> None:
    call_command("migrate", verbosity=0)
    seed_demo(full=False)
    county = Area.objects.get(code="513325000000")
    village = Area.objects.get(code="513325100202")
    e01 = Organisation.objects.get(county=county, code="E01")
    admin = User.objects.get(username="admin")
    funder = create_user(
        actor=None, username="bench-funder", password="bench-password-123", role=Role.UNIT_REPORTER,
        area=county, organisation=e01,
    )  # fmt: skip
    clerk = create_user(
        actor=None, username="bench-clerk", password="bench-password-123", role=Role.TOWNSHIP_CLERK,
        area=Area.objects.get(code="513325100000"),
    )  # fmt: skip
    print(f"database: {connection.vendor}, projects: {PROJECTS}")

    def make_projects() -> list[Project]:
        out = []
        for i in range(PROJECTS):
            p = create_project(
                actor=admin, county=county, code=f"B-{i:05d}", title=f"项目{i}", kind=ProjectKind.EAST_WEST,
                category=Category.INDUSTRY, year=2020, area=village, funders=[e01],
                budget_partner=Decimal("100000"),
            )  # fmt: skip
            p = change_project_status(actor=admin, project=p, to=ProjectStatus.APPROVED)
            record_allocation(actor=admin, project=p, amount=Decimal("100000"), source=FundSource.PARTNER)
            out.append(p)
        return out

    projects = timed("create + approve + allocate (per project)", PROJECTS, make_projects)
    requests = timed(
        "request disbursements",
        PROJECTS,
        lambda: [
            request_disbursement(
                actor=clerk, project=p, amount=Decimal("2500.50"), payee="收款人", purpose="工程款"
            )
            for p in projects
        ],
    )

    def pay() -> None:
        for d in requests:
            approve_disbursement(actor=funder, disbursement=d)
            approve_disbursement(actor=admin, disbursement=d)

    timed("pay disbursements (2 approvals each)", PROJECTS, pay)
    qs = Project.objects.filter(county=county)
    figures = timed("fund_figures of all projects (1 query)", 1, lambda: fund_figures(list(qs)))
    assert all(f.balance == Decimal("97499.50") for f in figures.values())
    size = len(timed("project ledger xlsx", 1, lambda: project_ledger_xlsx(qs)))
    print(f"{'':<48} {size / 1024:10,.1f} KiB")
    size = len(timed("fund flow xlsx (year 2020)", 1, lambda: fund_flow_xlsx(qs, year=2020)))
    print(f"{'':<48} {size / 1024:10,.1f} KiB")


if __name__ == "__main__":
    main()
