"""The audit log as people read it: actions in words, changes field by field with field names and
choice labels, personal values masked. Nothing here changes what is recorded."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from bangfu.lib.idnumbers import mask, mask_phone

# Verbs of the action codes (`app.verb_object`, `object.verb`, `network.order.<state>`).
VERBS: dict[str, Any] = {
    "create": gettext_lazy("新建"),
    "update": gettext_lazy("修改"),
    "import": gettext_lazy("导入"),
    "export": gettext_lazy("导出"),
    "load": gettext_lazy("载入"),
    "end": gettext_lazy("结束"),
    "set": gettext_lazy("设置"),
    "change": gettext_lazy("变更"),
    "save": gettext_lazy("保存"),
    "submit": gettext_lazy("提交"),
    "accept": gettext_lazy("通过"),
    "bulk": gettext_lazy("批量处理"),
    "return": gettext_lazy("退回"),
    "comment": gettext_lazy("批注"),
    "flag": gettext_lazy("标记"),
    "send": gettext_lazy("发送"),
    "add": gettext_lazy("添加"),
    "record": gettext_lazy("登记"),
    "request": gettext_lazy("申请"),
    "pay": gettext_lazy("支付"),
    "approve": gettext_lazy("审批通过"),
    "reject": gettext_lazy("驳回"),
    "reverse": gettext_lazy("冲销"),
    "reversal": gettext_lazy("冲销"),
    "close": gettext_lazy("关闭"),
    "schedule": gettext_lazy("安排"),
    "open": gettext_lazy("开设"),
    "advance": gettext_lazy("推进"),
    "assess": gettext_lazy("评估"),
    "complete": gettext_lazy("完成"),
    "enrol": gettext_lazy("录取"),
    "fund": gettext_lazy("拨付"),
    "mark": gettext_lazy("标记"),
    "place": gettext_lazy("下单"),
    "register": gettext_lazy("登记"),
    "ensure": gettext_lazy("生成"),
    "number": gettext_lazy("编号"),
    "seed": gettext_lazy("载入演示数据"),
    "reactivate": gettext_lazy("恢复"),
    "deactivate": gettext_lazy("停用"),
    "revoke": gettext_lazy("吊销"),
    "score": gettext_lazy("评分"),
    "confirmed": gettext_lazy("确认"),
    "shipped": gettext_lazy("发货"),
    "received": gettext_lazy("收货"),
    "cancelled": gettext_lazy("取消"),
    "credit": gettext_lazy("收入"),
    "debit": gettext_lazy("支出"),
    "demo": gettext_lazy("载入演示数据"),
}
PERSONAL_KEYS = ("id_number", "id_no", "phone", "mobile", "bank", "account_no", "card")


def _model(target_type: str) -> type[models.Model] | None:
    try:
        return apps.get_model(target_type)
    except (LookupError, ValueError):
        return None


def target_label(target_type: str) -> str:
    model = _model(target_type)
    return str(model._meta.verbose_name) if model is not None else _("记录")


def action_label(action: str, target_type: str) -> str:
    """`projects.pay_disbursement` on projects.disbursement → 支付 拨付申请 (the verb in words and the
    record's name); an unknown verb shows the record's name only, never the code."""
    words = action.split(".")[-1].split("_")
    verb = VERBS.get(words[0]) or VERBS.get(action.split(".")[0])
    record = target_label(target_type)
    if verb is None:
        return _("操作%(record)s") % {"record": record}
    return _("%(verb)s%(record)s") % {"verb": verb, "record": record}


@dataclass(frozen=True)
class Change:
    field: str
    before: str
    after: str


def _display(field: models.Field | None, key: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if any(part in key for part in PERSONAL_KEYS):
        text = str(value)
        return mask_phone(text) if "phone" in key or "mobile" in key else mask(text)
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, list):
        return "、".join(_display(field, key, v) for v in value) or "—"
    if isinstance(value, dict):
        return "；".join(f"{k}：{_display(None, k, v)}" for k, v in value.items())
    if field is not None and field.choices:
        labels = {str(k): str(v) for k, v in field.flatchoices}
        if str(value) in labels:
            return labels[str(value)]
    coded = _key_choices(key)
    if coded and str(value) in coded:
        return coded[str(value)]
    if field is not None and field.is_relation and field.related_model is not None:
        related = field.related_model
        try:
            found = related._default_manager.filter(pk=value).first()
        except (ValueError, TypeError):
            found = None
        if found is not None and related._meta.label_lower not in ("registry.member",):
            return str(found)
    bulletin = BULLETIN_SUBJECT.fullmatch(str(value))
    if bulletin:  # a numbered document's subject, "workplan.bulletin:2020-06" → "2020年6月社会扶贫工作通报"
        return _("%(year)s年%(month)s月社会扶贫工作通报") % {"year": bulletin[1], "month": int(bulletin[2])}
    term = TERM_CODE.fullmatch(str(value))
    if term:  # a school term's code, "2020-spring" → "2020春季学期"
        return f"{term[1]}{SEASONS[term[2]]}"
    return str(value)


BULLETIN_SUBJECT = re.compile(r"workplan\.bulletin:(\d{4})-(\d{2})")
TERM_CODE = re.compile(r"(\d{4})-(spring|autumn)")
SEASONS: dict[str, Any] = {"spring": gettext_lazy("春季学期"), "autumn": gettext_lazy("秋季学期")}


def changes(record: Any) -> list[Change]:
    before = record.before if isinstance(record.before, dict) else {}
    after = record.after if isinstance(record.after, dict) else {}
    model = _model(record.target_type)
    rows = []
    for key in list(dict.fromkeys([*before, *after])):
        field: models.Field | None = None
        label = key
        if model is not None:
            try:
                found = model._meta.get_field(key)
            except FieldDoesNotExist:
                found = None
            # Only the model's own fields name a value (not reverse relations).
            if isinstance(found, models.Field) and getattr(found, "concrete", False):
                field = found
                label = str(found.verbose_name)
        if field is None:
            label = str(FIELD_WORDS.get(key, key))
        old, new = _display(field, key, before.get(key)), _display(field, key, after.get(key))
        if record.target_type and field is None and (record.target_type, key) in KEY_CHOICES:
            coded = _choices_of(KEY_CHOICES[(record.target_type, key)])
            old, new = _relabel(old, before.get(key), coded), _relabel(new, after.get(key), coded)
        rows.append(Change(label, old, new))
    return rows


# Keys some services record that are not model fields.
FIELD_WORDS: dict[str, Any] = {
    "side": gettext_lazy("审批方"),
    "rows": gettext_lazy("行数"),
    "count": gettext_lazy("数量"),
    "created": gettext_lazy("新增"),
    "updated": gettext_lazy("更新"),
    "phone_tail": gettext_lazy("手机尾号"),
    "file": gettext_lazy("文件"),
    "score": gettext_lazy("得分"),
    "unchanged": gettext_lazy("未变"),
    "user": gettext_lazy("用户"),
    "type": gettext_lazy("类型"),
    "deadline": gettext_lazy("截止日期"),
    "receipt": gettext_lazy("收据"),
    "comment": gettext_lazy("意见"),
    "earmark": gettext_lazy("指定用途"),
    "label": gettext_lazy("文号"),
    "balance": gettext_lazy("余额"),
    "source": gettext_lazy("来源"),
    "accepted": gettext_lazy("接收"),
    "leads": gettext_lazy("线索"),
    "rejected": gettext_lazy("拒收"),
    "unknown": gettext_lazy("未识别"),
    "amount": gettext_lazy("金额"),
    "date": gettext_lazy("日期"),
    "days": gettext_lazy("天数"),
    "form": gettext_lazy("形式"),
    "income": gettext_lazy("收入"),
    "members": gettext_lazy("成员"),
    "objections": gettext_lazy("异议"),
    "on": gettext_lazy("日期"),
    "passed": gettext_lazy("通过"),
    "risk": gettext_lazy("风险类型"),
    "risk_types": gettext_lazy("风险类型"),
    "start": gettext_lazy("开始日期"),
    "line": gettext_lazy("监测线"),
    "photo": gettext_lazy("照片"),
    "organisations": gettext_lazy("单位"),
    "verified": gettext_lazy("已核实"),
    "kinship_visits": gettext_lazy("结对走访"),
    "visits": gettext_lazy("走访"),
    "rectifications": gettext_lazy("整改事项"),
    "budget": gettext_lazy("预算"),
    "deactivated": gettext_lazy("停用"),
    "grade": gettext_lazy("等次"),
    "kind": gettext_lazy("类别"),
    "year": gettext_lazy("年度"),
    "amount_each": gettext_lazy("每人金额"),
    "students": gettext_lazy("学生数"),
    "term": gettext_lazy("学期"),
    "bank_account": gettext_lazy("银行账户"),
    "applications": gettext_lazy("申请数"),
    "payments": gettext_lazy("发放笔数"),
    "month": gettext_lazy("月份"),
    "sent": gettext_lazy("已发送"),
    "milestones_completed": gettext_lazy("完成节点"),
    "reports": gettext_lazy("报告"),
    "slots_created": gettext_lazy("新增报送项"),
    "tasks_created": gettext_lazy("新增任务"),
    "tasks_updated": gettext_lazy("更新任务"),
    "placement": gettext_lazy("岗位"),
    "subject": gettext_lazy("事由"),
}

# Keys that are not model fields but hold choice codes: (target type, key) → the choices, named
# by import path so the audit app imports no other app.
KEY_CHOICES: dict[tuple[str, str], str] = {
    ("monitoring.monitoredhousehold", "risk_types"): "bangfu.monitoring.models.RiskType",
    ("monitoring.monitoredhousehold", "risk"): "bangfu.monitoring.models.RiskType",
    ("monitoring.monitoredhousehold", "type"): "bangfu.monitoring.models.MeasureType",
    ("subsidies.sanzhiplacement", "kind"): "bangfu.subsidies.models.AssessmentKind",
    ("subsidies.sanzhiplacement", "grade"): "bangfu.subsidies.models.AssessmentGrade",
}
# Codes some services record inline rather than as model choices.
CODE_WORDS: dict[str, Any] = {
    "in_person": gettext_lazy("入户走访"),
    "phone": gettext_lazy("电话回访"),
}


def _choices_of(path: str) -> dict[str, str]:
    return {str(k): str(v) for k, v in import_string(path).choices}


def _key_choices(key: str) -> dict[str, str]:
    return {k: str(v) for k, v in CODE_WORDS.items()} if key == "form" else {}


def _relabel(shown: str, value: Any, coded: dict[str, str]) -> str:
    if isinstance(value, list):
        return "、".join(coded.get(str(v), str(v)) for v in value) or "—"
    if value is None or value == "":
        return shown
    return coded.get(str(value), shown)
