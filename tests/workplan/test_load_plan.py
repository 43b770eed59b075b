from __future__ import annotations

import re
from datetime import date

import pytest
from django.core.management import CommandError, call_command

from bangfu.lib.indicators import all_indicators
from bangfu.partners.models import AdminLevel, Organisation, OrgType
from bangfu.workplan.models import (
    Indicator,
    IndicatorSource,
    LedgerReport,
    Milestone,
    Plan,
    Section,
    SectionKind,
    Task,
)
from bangfu.workplan.planfile import SHIPPED_2020, PlanFileError, fullwidth
from bangfu.workplan.services import load_plan

# The seed text sits in ../shared beside the checkout (or one level further up for a worktree).
_SEEDS = [p / "shared" / "seed" / "social-assistance-plan-2020.txt" for p in SHIPPED_2020.parents[5:7]]
SEED = next((p for p in _SEEDS if p.exists()), _SEEDS[0])

MINIMAL = """
year: 2020
title: 测试方案
sections:
  - code: "3.1"
    title: 定点帮扶
    tasks:
      - code: "3.1.1"
        title: 省级定点扶贫
        lead_units: [县脱贫攻坚领导小组办公室]
        responsible_units: [县委办]
        milestones:
          - {quarters: [1], title: 启动}
        indicators:
          - {key: villages, label: 贫困村数, unit: 个, target: 10, computed: areas.registered_poor_villages}
          - {key: later, label: 尚未接入, unit: 次, computed: nobody.figure_yet}
"""


def _names(qs) -> set[str]:
    return set(qs.values_list("name", flat=True))


def test_it_loads_every_task_of_the_2020_plan(plan):
    codes = list(Task.objects.filter(plan=plan).order_by("position").values_list("code", flat=True))
    assert codes == ["3.1.1", "3.1.2", "3.2", "3.3", "3.4", "3.5.1", "3.5.2", "3.5.3", "3.5.4", "3.5.5"]
    key_work = Section.objects.filter(plan=plan, kind=SectionKind.KEY_WORK).order_by("position")
    assert [s.title for s in key_work] == [
        "扎实开展定点帮扶工作",
        "深化东西部扶贫协作工作",
        "积极推进省内对口帮扶藏区贫困县工作",
        "开展企业扶贫——万企帮万村",
        "落实优惠和激励政策",
    ]
    titles = set(Task.objects.filter(plan=plan).values_list("title", flat=True))
    for name in ("三支一扶", "百工技师工程", "中国社会扶贫网", "扶贫日", "雨露计划"):
        assert any(name in t for t in titles), name
    safeguards = Section.objects.filter(plan=plan, kind=SectionKind.SAFEGUARD).order_by("position")
    assert [s.title for s in safeguards] == ["强化组织领导", "建立工作台帐", "加强督导考核"]


def test_it_maps_every_unit_the_seed_text_names(plan):
    t = {task.code: task for task in Task.objects.filter(plan=plan)}
    assert _names(t["3.1.1"].lead_units) == {"县脱贫攻坚领导小组办公室"}
    assert _names(t["3.1.1"].responsible_units) == {
        "县委办",
        "县人大",
        "县政府办",
        "县政协",
        "县委统战部",
        "县总工会",
        "人民银行县支行",
        "县扶贫开发局",
    }
    assert _names(t["3.1.2"].lead_units) == {"县委组织部"}
    assert _names(t["3.1.2"].responsible_units) == {
        "县脱贫攻坚领导小组办公室",
        "县政府办",
        "县委老干局",
        "县总工会",
        "县纪委",
        "县防灾减灾局",
        "县农牧农村和科技局",
    }
    assert _names(t["3.2"].lead_units) == {"县发改局"}
    assert _names(t["3.2"].responsible_units) == {
        "县政府办",
        "县脱贫攻坚领导小组办公室",
        "县扶贫开发局",
        "县住房和城乡建设局",
    }
    assert _names(t["3.3"].lead_units) == {"县发改局"}
    assert _names(t["3.3"].responsible_units) == {
        "县委组织部",
        "县脱贫攻坚领导小组办公室",
        "县人力资源社会保障局",
        "县文化广播影视和旅游局",
        "县扶贫开发局",
        "县农牧农村和科技局",
    }
    assert _names(t["3.4"].lead_units) == {"县工商联"}
    assert _names(t["3.4"].responsible_units) == {
        "县政府办",
        "县扶贫开发局",
        "县人力资源社会保障局",
        "县经信局",
    }
    townships = _names(Organisation.objects.filter(org_type=OrgType.TOWNSHIP))
    assert len(townships) == 7
    assert _names(t["3.5.1"].lead_units) == {"县人力资源社会保障局"}
    assert _names(t["3.5.1"].responsible_units) == townships
    assert _names(t["3.5.2"].responsible_units) == townships | {"县人力资源社会保障局"}
    county_units = _names(
        Organisation.objects.filter(admin_level=AdminLevel.COUNTY, region="").exclude(
            org_type__in=[OrgType.PRIVATE_ENTERPRISE, OrgType.SOCIAL_ORGANISATION]
        )
    )
    assert "县财政局" in county_units and "格桑牦牛乳业有限公司" not in county_units
    assert _names(t["3.5.3"].responsible_units) == county_units
    assert _names(t["3.5.4"].lead_units) == {"县扶贫开发局", "县总工会", "县委办", "县政府办"}
    assert _names(t["3.5.4"].responsible_units) == county_units
    assert _names(t["3.5.5"].responsible_units) == {"县教育体育局", "县人力资源社会保障局", "县财政局"}
    # The plan's wording is kept verbatim beside the resolved units.
    assert (
        t["3.1.1"].responsible_units_text
        == "县委办、县人大、县政府办、县政协、县委统战部、县总工会、人民银行、扶贫开发局"
    )
    assert t["3.5.1"].responsible_units_text == "各乡（镇）"


def test_it_encodes_the_schedules_as_written(plan):
    # The seed's half-width commas are an artefact of its conversion: the plan stores full-width.
    seed = fullwidth(SEED.read_text(encoding="utf-8")) if SEED.exists() else ""
    for task in Task.objects.filter(plan=plan):
        assert task.schedule_text
        if seed:
            assert task.schedule_text in seed, task.code
            assert task.description.replace(" ", "")[:40] in seed.replace(" ", ""), task.code
    quarters = {
        code: sorted(
            Milestone.objects.filter(task__plan=plan, task__code=code).values_list("quarter", flat=True)
        )
        for code in ("3.1.1", "3.1.2", "3.3", "3.4", "3.5.1", "3.5.4", "3.5.5")
    }
    assert quarters == {
        "3.1.1": [1, 4],
        "3.1.2": [1, 2, 3, 4],
        "3.3": [1, 2, 4],
        "3.4": [1, 2, 3, 4],
        "3.5.1": [1, 2, 3, 4],
        "3.5.4": [3, 4, 4],
        "3.5.5": [2, 4],
    }
    spring = Milestone.objects.get(task__plan=plan, task__code="3.5.5", quarter=2)
    assert spring.due_date == date(2020, 6, 30)


def test_it_opens_a_slot_per_task_unit_and_month(plan):
    pairs = Task.responsible_units.through.objects.filter(task__plan=plan).count()
    assert LedgerReport.objects.filter(task__plan=plan).count() == pairs * 12
    assert set(LedgerReport.objects.values_list("month", flat=True)) == {
        date(2020, m, 1) for m in range(1, 13)
    }


def test_it_is_idempotent_by_task_code(county, plan):
    counts = (
        Task.objects.count(),
        Milestone.objects.count(),
        Indicator.objects.count(),
        LedgerReport.objects.count(),
    )
    result = load_plan(actor=None, county=county, data=SHIPPED_2020.read_bytes())
    assert (result.tasks_created, result.tasks_updated, result.slots_created) == (0, 10, 0)
    assert counts == (
        Task.objects.count(),
        Milestone.objects.count(),
        Indicator.objects.count(),
        LedgerReport.objects.count(),
    )
    assert Plan.objects.count() == 1


def test_it_stores_computed_sources_registered_or_not(county):
    load_plan(actor=None, county=county, data=MINIMAL.encode())
    villages = Indicator.objects.get(key="villages")
    later = Indicator.objects.get(key="later")
    assert villages.source == later.source == IndicatorSource.COMPUTED
    assert "areas.registered_poor_villages" in all_indicators()
    assert later.computed_name == "nobody.figure_yet" and "nobody.figure_yet" not in all_indicators()


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (("[县委办]", "[县委办, 县不存在局]"), "sections[0].tasks[0].responsible_units[1]"),
        (("year: 2020", "year: twenty"), "year"),
        (("quarters: [1]", "quarters: [5]"), "sections[0].tasks[0].milestones[0].quarters[0]"),
        (("target: 10", "target: abc"), "sections[0].tasks[0].indicators[0].target"),
        (("title: 省级定点扶贫", "title: ''"), "sections[0].tasks[0].title"),
        (('code: "3.1.1"', "code: x.y"), "sections[0].tasks[0].code"),
        (("key: later", "key: villages"), "sections[0].tasks[0].indicators[1].key"),
    ],
)
def test_it_names_the_yaml_path_of_each_error_and_writes_nothing(county, change, path):
    bad = MINIMAL.replace(*change)
    assert bad != MINIMAL
    with pytest.raises(PlanFileError) as exc:
        load_plan(actor=None, county=county, data=bad.encode())
    assert any(e.startswith(path + ":") for e in exc.value.errors), exc.value.errors
    assert Plan.objects.count() == 0 and Task.objects.count() == 0 and LedgerReport.objects.count() == 0


def test_it_reports_yaml_syntax_errors_with_the_line(county):
    with pytest.raises(PlanFileError) as exc:
        load_plan(actor=None, county=county, data=b"year: 2020\nsections: [\n")
    assert re.match(r"line \d+: ", exc.value.errors[0])


def test_the_command_loads_the_shipped_file_and_refuses_bad_files(county, tmp_path, capsys):
    call_command("load_plan", str(SHIPPED_2020), "--county", county.code)
    assert Task.objects.count() == 10
    bad = tmp_path / "bad.yaml"
    bad.write_text(MINIMAL.replace("[县委办]", "[县不存在局]"), encoding="utf-8")
    with pytest.raises(CommandError, match=r"sections\[0\]\.tasks\[0\]\.responsible_units\[0\]"):
        call_command("load_plan", str(bad), "--county", county.code)


def test_the_shipped_plan_loads_with_full_titles_and_full_width_punctuation(plan):
    titles = {
        (m.task.code, m.quarter): m.title
        for m in Milestone.objects.filter(task__plan=plan).select_related("task")
        if "扶贫日活动" not in m.title or m.task.code != "3.5.4"
    }
    assert titles[("3.2", 1)] == "积极对接，争取提早下达年度项目投资计划"
    assert titles[("3.5.1", 1)] == "制定招募方案，对年度工作进行安排部署"
    assert titles[("3.5.4", 3)] == "制定印发2020年扶贫日系列活动方案，抓好宣传动员工作"
    assert titles[("3.5.4", 4)] == "推进扶贫日系列活动，总结上报扶贫日系列活动情况"
    assert titles[("3.1.2", 2)] == "各帮扶单位派出工作组（2-5人）到联系的贫困村指导开展精准扶贫工作"
    # No ASCII , : ; ( ) next to a Chinese character anywhere in the stored plan text.
    half = re.compile(r"[\u4e00-\u9fff][,:;()]|[,:;()][\u4e00-\u9fff]")
    texts = [plan.goals, plan.scope, *Section.objects.filter(plan=plan).values_list("text", flat=True)]
    for task in Task.objects.filter(plan=plan):
        texts += [task.title, task.description, task.schedule_text]
    texts += list(titles.values())
    assert not [t for t in texts if half.search(t)]


def test_poverty_day_is_a_dated_milestone(plan):
    day = Milestone.objects.get(task__plan=plan, task__code="3.5.4", title__contains="扶贫日活动", quarter=4)
    assert day.due_date == date(2020, 10, 17)


def test_fullwidth_keeps_latin_and_digits():
    assert fullwidth("工作组(2-5人),全年") == "工作组（2-5人），全年"
    assert fullwidth("a, b (1,000)") == "a, b (1,000)"


@pytest.mark.parametrize(
    ("change", "path", "line"),
    [
        # A flow-style title cut at the ASCII comma: the tail became a key.
        (("title: 启动}", "title: 启动,积极对接}"), "milestones[0].title", 13),
        (("title: 省级定点扶贫", "title: 省级定点扶贫\n        titel: 拼错的键"), "tasks[0].titel", 10),
        (("year: 2020", "year: 2020\nyaer: 2021"), "yaer", 3),
        (("unit: 个, target: 10", "unit: 个, taget: 10"), "indicators[0].taget", 15),
    ],
)
def test_it_refuses_unknown_keys_and_cut_values_with_the_line(county, change, path, line):
    bad = MINIMAL.replace(*change)
    assert bad != MINIMAL
    with pytest.raises(PlanFileError) as exc:
        load_plan(actor=None, county=county, data=bad.encode())
    hits = [(e, n) for e, n in zip(exc.value.errors, exc.value.lines, strict=True) if path in e.split(":")[0]]
    assert hits, exc.value.errors
    assert hits[0][1] == line
    assert Plan.objects.count() == 0 and Milestone.objects.count() == 0


def test_the_command_exits_2_naming_file_line_and_key(county, tmp_path):
    bad = tmp_path / "cut.yaml"
    bad.write_text(MINIMAL.replace("title: 启动}", "title: 积极对接,争取提早下达}"), encoding="utf-8")
    with pytest.raises(CommandError) as exc:
        call_command("load_plan", str(bad), "--county", county.code)
    assert exc.value.returncode == 2
    assert f"{bad}:13: sections[0].tasks[0].milestones[0].title:" in str(exc.value)
    assert "截断" in str(exc.value)
    assert Plan.objects.count() == 0


def test_reloading_renames_a_milestone_loaded_under_its_cut_title(county, plan):
    cut = Milestone.objects.get(task__plan=plan, task__code="3.2", quarter=1)
    cut.title, cut.completed_on = "积极对接", date(2020, 3, 20)
    cut.save()
    load_plan(actor=None, county=county, data=SHIPPED_2020.read_bytes())
    again = Milestone.objects.get(pk=cut.pk)
    assert again.title == "积极对接，争取提早下达年度项目投资计划"
    assert again.completed_on == date(2020, 3, 20)
    assert Milestone.objects.filter(task__plan=plan, task__code="3.2", quarter=1).count() == 1
