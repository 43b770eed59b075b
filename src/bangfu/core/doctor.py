"""`bangfu doctor`: checks a deployment and says, for each problem, how to fix it.

Each check returns findings: OK (what was verified), PROBLEM (the deployment is not healthy:
exit code 1) or NOTE (worth knowing, not a fault). The checks read; they change nothing (a
missing SQLite file is reported, not created). They run even when the keys are missing or the
database is down: the CLI starts the settings in diagnosing mode (bangfu.settings.DIAGNOSING),
and checks that need the database say they were skipped."""

from __future__ import annotations

import os
import shutil
import stat
import time
import zoneinfo
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from pathlib import Path

from django.conf import settings
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.utils.translation import gettext as _

from bangfu.core.backup import BackupError, pg_dump_problem, read_manifest
from bangfu.core.filemodes import SCAN_LIMIT, data_paths, private_scan
from bangfu.core.heartbeat import BEAT_SECONDS, heartbeat_path, read_beat
from bangfu.lib.crypto import DecryptionError, blind_index, decrypt_text

KEY_NAMES = ("BANGFU_SECRET_KEY", "BANGFU_FIELD_KEY")
# A heartbeat older than this means the worker has stopped (it beats every BEAT_SECONDS).
HEARTBEAT_STALE = timedelta(seconds=4 * BEAT_SECONDS)
# Background tasks waiting longer than this mean no worker takes them.
TASK_WAIT_LIMIT = timedelta(minutes=10)
# The nightly timer runs at 02:30; an hour of slack for a slow run or a late boot.
BACKUP_MAX_AGE = timedelta(hours=25)
MIN_FREE_BYTES = 1024**3
MIN_FREE_SHARE = 0.05
CLOCK_SKEW_LIMIT = 60.0


class Status(StrEnum):
    OK = "ok"
    PROBLEM = "problem"
    NOTE = "note"


@dataclass(frozen=True)
class Finding:
    check: str
    status: Status
    message: str
    fix: str = ""


@dataclass
class Context:
    now: datetime
    database_ok: bool = False  # reachable
    migrated: bool = False  # and its schema is this code's
    findings: list[Finding] = field(default_factory=list)

    def ok(self, check: str, message: str) -> None:
        self.findings.append(Finding(check, Status.OK, message))

    def problem(self, check: str, message: str, fix: str) -> None:
        self.findings.append(Finding(check, Status.PROBLEM, message, fix))

    def note(self, check: str, message: str, fix: str = "") -> None:
        self.findings.append(Finding(check, Status.NOTE, message, fix))


def check_labels() -> dict[str, str]:
    return {
        "settings": _("设置"),
        "keys": _("密钥"),
        "database": _("数据库"),
        "worker": _("任务进程"),
        "permissions": _("文件权限"),
        "disk": _("磁盘空间"),
        "time": _("时区与时钟"),
        "backups": _("备份"),
    }


def status_label(status: Status) -> str:
    return {Status.OK: _("正常"), Status.PROBLEM: _("问题"), Status.NOTE: _("提示")}[status]


# --- settings --------------------------------------------------------------------------------------
def check_settings(ctx: Context) -> None:
    before = len(ctx.findings)
    if settings.DEBUG:
        ctx.problem(
            "settings",
            _("调试模式已打开（BANGFU_DEBUG）：出错时页面会显示程序内部信息。"),
            _("在设置文件中删除 BANGFU_DEBUG（或设为 0），然后重启服务。"),
        )
    if settings.BEHIND_PROXY and not settings.SESSION_COOKIE_SECURE:
        ctx.problem(
            "settings",
            _("已设置经由 HTTPS 反向代理访问（BANGFU_BEHIND_PROXY），但登录 Cookie 没有限定 HTTPS。"),
            _("在设置文件中加上 BANGFU_SECURE_COOKIES=1，然后重启服务。"),
        )
    if settings.BEHIND_PROXY and not settings.SECURE_HSTS_SECONDS:
        ctx.note(
            "settings",
            _("经由 HTTPS 访问，但没有发送 HSTS（BANGFU_HSTS_SECONDS 为 0）。"),
            _("证书可用后设 BANGFU_HSTS_SECONDS=31536000。"),
        )
    if not settings.BEHIND_PROXY and not settings.DEBUG:
        ctx.note(
            "settings",
            _("没有配置 HTTPS 反向代理（BANGFU_BEHIND_PROXY 未设）：密码在网络上以明文传输。"),
            _("按 docs/deploy.md 配置 nginx 与证书，并设 BANGFU_BEHIND_PROXY=1、BANGFU_SECURE_COOKIES=1。"),
        )
    if set(settings.ALLOWED_HOSTS) <= {"localhost", "127.0.0.1", "[::1]", "testserver"}:
        ctx.note(
            "settings",
            _("只接受以 localhost / 127.0.0.1 访问（BANGFU_ALLOWED_HOSTS）：其他电脑上的浏览器会被拒绝。"),
            _("在 BANGFU_ALLOWED_HOSTS 中加上用户在浏览器中输入的服务器名或地址，用逗号分隔。"),
        )
    if connection.vendor == "sqlite":
        ctx.note(
            "settings",
            _("使用 SQLite：适合试用和小规模；县级正式使用建议 PostgreSQL。"),
            _("见 docs/deploy.md“使用 PostgreSQL”。"),
        )
    if not any(f.status == Status.PROBLEM for f in ctx.findings[before:]):
        ctx.ok("settings", _("非调试模式，安全相关设置一致。"))


# --- keys ------------------------------------------------------------------------------------------
def check_keys(ctx: Context) -> None:
    found_problem = False
    for name in KEY_NAMES:
        value = os.environ.get(name, "")
        if not value:
            found_problem = True
            ctx.problem(
                "keys",
                _("未设置 %(name)s。") % {"name": name},
                _key_fix(name),
            )
        elif len(value) < settings.MIN_SECRET_LENGTH:
            found_problem = True
            ctx.problem(
                "keys",
                _("%(name)s 太短：%(n)s 个字符，至少需要 %(min)s 个。")
                % {"name": name, "n": len(value), "min": settings.MIN_SECRET_LENGTH},
                _key_fix(name),
            )
    if found_problem:
        return
    ctx.ok("keys", _("BANGFU_SECRET_KEY、BANGFU_FIELD_KEY 均已设置，长度足够。"))


def _key_fix(name: str) -> str:
    if name == "BANGFU_FIELD_KEY":
        return _(
            "在数据目录的 secrets.env 中设置（install.sh 新装时会生成）。已有数据时必须用加密这些数据时的"
            "同一个字段密钥（从备份处找回），另生成的密钥无法解密已存的证件号码。"
        )
    return _("在数据目录的 secrets.env 中设置一个至少 32 个字符的随机串（install.sh 新装时会生成）。")


def check_field_key_matches_data(ctx: Context) -> None:
    """One stored ID number decrypts and matches its index: the field key is the data's."""
    from bangfu.registry.models import Member

    member = Member.objects.only("id_number_encrypted", "id_number_index").order_by("pk").first()
    if member is None:
        return
    try:
        number = decrypt_text(member.id_number_encrypted, context="registry.member.id_number")
        matches = blind_index(number, purpose="id_number") == member.id_number_index
    except DecryptionError:
        matches = False
    if matches:
        ctx.ok("keys", _("字段密钥与库中数据相符（抽查一条证件号码可以解密）。"))
    else:
        ctx.problem(
            "keys",
            _("字段密钥与库中数据不符：已存的证件号码无法解密。"),
            _(
                "换回加密这些数据时的 BANGFU_FIELD_KEY（secrets.env 的备份）。"
                "不要在此状态下导入或修改登记数据。"
            ),
        )


# --- database --------------------------------------------------------------------------------------
def check_database(ctx: Context) -> None:
    db = connection.settings_dict
    in_memory = connection.vendor == "sqlite" and connection.is_in_memory_db()  # type: ignore[attr-defined]
    if connection.vendor == "sqlite" and not in_memory and not Path(db["NAME"]).exists():
        ctx.problem(
            "database",
            _("数据库文件不存在：%(path)s。") % {"path": db["NAME"]},
            _("新装运行 bangfu migrate；已有数据则从备份恢复（bangfu restore）。"),
        )
        return
    try:
        connection.ensure_connection()
    except DatabaseError as exc:
        ctx.problem(
            "database",
            _("无法连接数据库：%(err)s")
            % {"err": str(exc).strip().splitlines()[0] if str(exc).strip() else exc},
            _("检查 DATABASE_URL、数据库服务是否运行（systemctl status postgresql）以及网络与防火墙。"),
        )
        return
    ctx.database_ok = True
    executor = MigrationExecutor(connection)
    unapplied = [
        f"{m.app_label}.{m.name}"
        for m, _backwards in executor.migration_plan(executor.loader.graph.leaf_nodes())
    ]
    known = set(executor.loader.graph.nodes)
    unknown = sorted(
        f"{app}.{name}"
        for app, name in executor.recorder.applied_migrations()
        if app in executor.loader.migrated_apps and (app, name) not in known
    )
    if unapplied:
        ctx.problem(
            "database",
            _("有 %(n)s 个数据库迁移尚未应用（%(names)s）。")
            % {"n": len(unapplied), "names": _shorten(unapplied)},
            _("先 bangfu backup，再 bangfu migrate（用 install.sh 升级时会自动进行）。"),
        )
    if unknown:
        ctx.problem(
            "database",
            _("数据库结构比本程序新（本程序不认识的迁移：%(names)s）。") % {"names": _shorten(unknown)},
            _("安装与数据库相同或更新版本的 bangfu。"),
        )
    if connection.vendor == "postgresql":
        problem = pg_dump_problem()
        if problem:
            ctx.problem(
                "database",
                _("无法备份：%(err)s") % {"err": problem},
                _("安装 postgresql-client 后重新检查。"),
            )
    if not unapplied and not unknown:
        ctx.migrated = True
        version = (
            f"PostgreSQL {connection.pg_version // 10000}"  # type: ignore[attr-defined]
            if connection.vendor == "postgresql"
            else "SQLite"
        )
        ctx.ok(
            "database",
            _("%(backend)s 可以连接，结构为最新（%(n)s 个迁移已应用）。")
            % {"backend": version, "n": len(known)},
        )
        check_field_key_matches_data(ctx)


def _shorten(names: list[str], limit: int = 3) -> str:
    shown = _("、").join(names[:limit])
    return shown + (_(" 等") if len(names) > limit else "")


# --- worker ----------------------------------------------------------------------------------------
def check_worker(ctx: Context) -> None:
    beat = read_beat()
    if beat is None:
        ctx.problem(
            "worker",
            _("没有任务进程的心跳（%(path)s）：bangfu db_worker 没有在这个数据目录运行过。")
            % {"path": heartbeat_path()},
            _("启动任务进程：systemctl enable --now bangfu-worker（或运行 bangfu db_worker）。"),
        )
    elif ctx.now - beat.seen_at > HEARTBEAT_STALE:
        ctx.problem(
            "worker",
            _("任务进程已停止：最后心跳在 %(minutes)s 分钟前（主机 %(host)s，进程 %(pid)s）。")
            % {"minutes": int(beat.age_seconds(ctx.now) // 60), "host": beat.host, "pid": beat.pid},
            _("systemctl restart bangfu-worker，并查看 /var/log/bangfu/worker.log。"),
        )
    else:
        ctx.ok(
            "worker",
            _("任务进程在运行：最后心跳在 %(seconds)s 秒前（主机 %(host)s）。")
            % {"seconds": max(int(beat.age_seconds(ctx.now)), 0), "host": beat.host},
        )
    if not ctx.migrated:
        return
    from django_tasks_db.models import DBTaskResult

    waiting = DBTaskResult.objects.ready().filter(enqueued_at__lt=ctx.now - TASK_WAIT_LIMIT).count()
    if waiting:
        ctx.problem(
            "worker",
            _("有 %(n)s 个后台任务（如大文件导入）已排队超过 10 分钟，没有任务进程处理。") % {"n": waiting},
            _("启动或重启任务进程：systemctl restart bangfu-worker。"),
        )


# --- file permissions ------------------------------------------------------------------------------
def check_permissions(ctx: Context) -> None:
    data_dir = Path(settings.DATA_DIR)
    if not data_dir.is_dir():
        ctx.problem(
            "permissions",
            _("数据目录不存在：%(path)s。") % {"path": data_dir},
            _("检查 BANGFU_DATA_DIR；新装时运行 install.sh。"),
        )
        return
    found = private_scan()  # the same check as `bangfu check-integrity`
    exposed, truncated = found.wide, found.truncated
    if exposed:
        # The data directory, or the database/uploads/backups configured outside it.
        roots = [r for r in data_paths() if any(r == w.path or r in w.path.parents for w in exposed)]
        shown = _("、").join(
            _("%(path)s（%(mode)s）") % {"path": wide.path, "mode": f"{stat.S_IMODE(wide.mode):04o}"}
            for wide in exposed[:5]
        )
        ctx.problem(
            "permissions",
            _("数据目录中有 %(n)s 处可被其他用户访问：%(paths)s%(more)s。")
            % {"n": len(exposed), "paths": shown, "more": _(" 等") if len(exposed) > 5 else ""},
            _("chmod -R go-rwx %(path)s（服务以 UMask=0077 运行，之后新建的文件不会再这样）。")
            % {"path": " ".join(str(root) for root in roots)},
        )
    env_file = os.environ.get("BANGFU_ENV_FILE")
    if env_file and Path(env_file).exists() and os.stat(env_file).st_mode & 0o007:
        ctx.problem(
            "permissions",
            _("设置文件 %(path)s 所有用户都能读取（其中可能有数据库密码）。") % {"path": env_file},
            _("chmod 640 %(path)s（属主 root，属组为服务账号）。") % {"path": env_file},
        )
    elif not exposed:
        suffix = _("（只查了前 %(n)s 项）") % {"n": SCAN_LIMIT} if truncated else ""
        ctx.ok(
            "permissions",
            _("数据目录 %(path)s 仅服务账号可访问%(suffix)s。") % {"path": data_dir, "suffix": suffix},
        )


# --- disk space ------------------------------------------------------------------------------------
def _database_bytes() -> int:
    if connection.vendor == "sqlite":
        name = Path(connection.settings_dict["NAME"])
        return sum(p.stat().st_size for p in (name, Path(f"{name}-wal")) if p.exists())
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_database_size(current_database())")
        return int(cursor.fetchone()[0])


def check_disk(ctx: Context) -> None:
    database_bytes = _database_bytes() if ctx.database_ok else 0
    places = {"data": Path(settings.DATA_DIR), "backups": Path(settings.BACKUP_DIR)}
    before = len(ctx.findings)
    for role, place in places.items():
        existing = next((p for p in [place, *place.parents] if p.exists()), Path("/"))
        usage = shutil.disk_usage(existing)
        # A backup needs about the database's size; the data directory needs room to grow.
        needed = max(MIN_FREE_BYTES, 2 * database_bytes, int(usage.total * MIN_FREE_SHARE))
        if usage.free < needed:
            ctx.problem(
                "disk",
                _("%(path)s 所在分区只剩 %(free)s（数据库 %(db)s，至少应留 %(need)s）。")
                % {
                    "path": place,
                    "free": _size(usage.free),
                    "db": _size(database_bytes),
                    "need": _size(needed),
                },
                _("清理该分区或扩容；备份另存到其他机器后可删除较旧的备份。")
                if role == "backups"
                else _("清理该分区或扩容。"),
            )
    if len(ctx.findings) == before:
        usage = shutil.disk_usage(Path(settings.DATA_DIR) if Path(settings.DATA_DIR).exists() else "/")
        ctx.ok(
            "disk",
            _("数据目录所在分区剩余 %(free)s（%(share)s%%），数据库 %(db)s。")
            % {
                "free": _size(usage.free),
                "share": round(100 * usage.free / usage.total),
                "db": _size(database_bytes),
            },
        )


def _size(n: int) -> str:
    if n >= 1024**3:
        return f"{n / 1024**3:.1f} GB"
    return f"{n / 1024**2:.1f} MB"


# --- time zone and clock ---------------------------------------------------------------------------
def check_time(ctx: Context) -> None:
    before = len(ctx.findings)
    try:
        office_zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    except zoneinfo.ZoneInfoNotFoundError:
        ctx.problem(
            "time",
            _("系统缺少时区数据，无法使用 %(zone)s。") % {"zone": settings.TIME_ZONE},
            _("安装 tzdata 软件包（Debian：apt install tzdata）。"),
        )
        return
    if settings.BANGFU_TODAY is not None:
        ctx.problem(
            "time",
            _("日期被固定为 %(day)s（BANGFU_TODAY）：逾期、提醒和学期都按这个日期计算。")
            % {"day": settings.BANGFU_TODAY.isoformat()},
            _("从设置文件和环境中删除 BANGFU_TODAY（它只用于演示和测试），然后重启服务。"),
        )
    if ctx.database_ok and connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT now()")
            skew = abs((cursor.fetchone()[0] - datetime.now(UTC)).total_seconds())
        if skew > CLOCK_SKEW_LIMIT:
            ctx.problem(
                "time",
                _("数据库服务器与本机的时钟相差 %(n)s 秒。") % {"n": round(skew)},
                _("两台机器都用 NTP（如 chrony）与单位的时间服务器同步。"),
            )
    local_offset = datetime.now().astimezone().utcoffset()
    office_offset = datetime.now(office_zone).utcoffset()
    if local_offset != office_offset:
        ctx.note(
            "time",
            _("系统时区（%(local)s）不是北京时间：bangfu 仍按 %(zone)s 计算日期，定时任务按北京时间设定。")
            % {"local": time.strftime("%Z %z"), "zone": settings.TIME_ZONE},
            _("可选：timedatectl set-timezone Asia/Shanghai，使系统日志也用北京时间。"),
        )
    if not any(f.status == Status.PROBLEM for f in ctx.findings[before:]):
        ctx.ok(
            "time",
            _("按 %(zone)s 的真实日期运行（今天是 %(today)s）。")
            % {"zone": settings.TIME_ZONE, "today": ctx.now.astimezone(office_zone).date().isoformat()},
        )


# --- backups ---------------------------------------------------------------------------------------
def check_backups(ctx: Context) -> None:
    directory = Path(settings.BACKUP_DIR)
    files = sorted(directory.glob("*.bangfu"), key=lambda p: p.stat().st_mtime) if directory.is_dir() else []
    enable = _("启用每晚备份：systemctl enable --now bangfu-backup.timer；或现在就运行 bangfu backup。")
    if not files:
        ctx.problem("backups", _("%(dir)s 中没有备份。") % {"dir": directory}, enable)
        return
    newest = files[-1]
    age = ctx.now - datetime.fromtimestamp(newest.stat().st_mtime, UTC)
    hours = max(int(age.total_seconds() // 3600), 0)
    if age > BACKUP_MAX_AGE:
        ctx.problem(
            "backups",
            _("最新的备份 %(path)s 是 %(hours)s 小时前的，超过一天。") % {"path": newest, "hours": hours},
            _("查看 systemctl status bangfu-backup 与 /var/log/bangfu/jobs.log；") + enable,
        )
        return
    try:
        read_manifest(newest)
    except BackupError as exc:
        ctx.problem("backups", str(exc), _("重新运行 bangfu backup，并检查磁盘。"))
        return
    ctx.ok(
        "backups",
        _("最新的备份 %(path)s（%(hours)s 小时前，%(size)s）。")
        % {"path": newest, "hours": hours, "size": _size(newest.stat().st_size)},
    )
    data_dir = Path(settings.DATA_DIR)
    if data_dir.exists() and directory.stat().st_dev == data_dir.stat().st_dev:
        ctx.note(
            "backups",
            _("备份与数据在同一个分区：磁盘损坏时会一起丢失。"),
            _("每天把备份另外复制到其他机器或离线介质（见 docs/deploy.md）。"),
        )


CHECKS: list[Callable[[Context], None]] = [
    check_settings,
    check_keys,
    check_database,
    check_worker,
    check_permissions,
    check_disk,
    check_time,
    check_backups,
]


def run_doctor(*, now: datetime | None = None) -> list[Finding]:
    ctx = Context(now=now or datetime.now(UTC))
    # The database comes first so that the checks after it know whether they can query it.
    check_database(ctx)
    for check in CHECKS:
        if check is not check_database:
            check(ctx)
    # Per check: its problems, then what is fine, then the notes.
    order = list(check_labels())
    rank = {Status.PROBLEM: 0, Status.OK: 1, Status.NOTE: 2}
    return sorted(ctx.findings, key=lambda f: (order.index(f.check), rank[f.status]))
