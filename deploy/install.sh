#!/usr/bin/env bash
# Install or upgrade bangfu from this offline bundle. Nothing is fetched from any network: the
# wheels come from ./wheels (pip --no-index). Needs Python 3.11+ of the version the bundle was
# built for (see ./BUNDLE). Run as root for a server set-up (service user, /opt, /var/lib):
#
#   sudo ./install.sh [--prefix /opt/bangfu] [--data /var/lib/bangfu] [--user bangfu]
#                     [--python /usr/bin/python3.11] [--no-backup] [--lang en]
#
# Fresh install: venv, bangfu.env (settings) and <data>/secrets.env (fresh keys, 0600) when
# absent, migrations, then the next steps are printed. Re-running it over an installation is an
# upgrade: a backup is taken first (`bangfu backup`, with the old code), the packages are
# replaced, migrations are applied; settings, keys and data are kept.
set -euo pipefail
umask 022

here=$(cd "$(dirname "$0")" && pwd)
lang=${BANGFU_LANG:-zh-hans}
prefix=/opt/bangfu
data=""
user=""
python=""
take_backup=1

say() { if [ "$lang" = en ]; then printf '%s\n' "$2"; else printf '%s\n' "$1"; fi; }
die() {
    say "安装失败：$1" "install failed: $2" >&2
    exit 1
}
usage() {
    sed -n '6,7p' "$0"
    exit 2
}

while [ $# -gt 0 ]; do
    case "$1" in
    --prefix) prefix=${2:?}; shift 2 ;;
    --data) data=${2:?}; shift 2 ;;
    --user) user=${2:?}; shift 2 ;;
    --python) python=${2:?}; shift 2 ;;
    --no-backup) take_backup=0; shift ;;
    --lang) lang=${2:?}; shift 2 ;;
    -h | --help) usage ;;
    *) usage ;;
    esac
done
case "$prefix" in /*) ;; *) prefix="$PWD/$prefix" ;; esac
prefix=${prefix%/}
[ -n "$prefix" ] || die "--prefix 不能是根目录。" "--prefix cannot be the root directory."

# --- the bundle ------------------------------------------------------------------------------------
[ -f "$here/BUNDLE" ] && [ -d "$here/wheels" ] ||
    die "请在解压后的安装包目录中运行 install.sh。" "run install.sh from the unpacked bundle."
(cd "$here" && sha256sum --quiet --check SHA256SUMS) ||
    die "安装包已损坏（校验和不符），请重新拷贝。" "the bundle is damaged (checksums differ): copy it again."
bundle_version=$(sed -n 's/^version=//p' "$here/BUNDLE")
bundle_python=$(sed -n 's/^python=//p' "$here/BUNDLE")
bundle_platform=$(sed -n 's/^platform=//p' "$here/BUNDLE")

# --- Python: the version the wheels were built for -------------------------------------------------
py_version() { "$1" -c 'import sys; print("%d.%d" % sys.version_info[:2])' 2>/dev/null; }
if [ -z "$python" ]; then
    for candidate in "python$bundle_python" python3; do
        if command -v "$candidate" >/dev/null && [ "$(py_version "$candidate")" = "$bundle_python" ]; then
            python=$(command -v "$candidate")
            break
        fi
    done
fi
[ -n "$python" ] && [ "$(py_version "$python")" = "$bundle_python" ] ||
    die "本安装包需要 Python $bundle_python（平台 $bundle_platform），未找到。请安装 python$bundle_python，或用 --python 指定，或在联网机器上为本机的 Python 版本重新打包（见 docs/deploy.md）。" \
        "this bundle needs Python $bundle_python (platform $bundle_platform), not found. Install python$bundle_python, pass --python, or build a bundle for this machine's Python (docs/deploy.md)."

# --- where things go -------------------------------------------------------------------------------
env_file="$prefix/bangfu.env"
if [ -z "$data" ] && [ -f "$env_file" ]; then
    data=$(sed -n 's/^BANGFU_DATA_DIR=//p' "$env_file" | tail -n 1)
fi
data=${data:-/var/lib/bangfu}
case "$data" in /*) ;; *) data="$PWD/$data" ;; esac
venv="$prefix/venv"
upgrade=0
[ -x "$venv/bin/bangfu" ] && upgrade=1

if [ "$(id -u)" -eq 0 ]; then
    user=${user:-bangfu}
    if ! id "$user" >/dev/null 2>&1; then
        say "创建服务账号 $user" "creating the service account $user"
        useradd --system --user-group --home-dir "$data" --no-create-home --shell /usr/sbin/nologin "$user"
    fi
    as_user() { runuser -u "$user" -- "$@"; }
else
    [ -z "$user" ] || [ "$user" = "$(id -un)" ] ||
        die "只有 root 才能以其他账号（$user）安装。" "only root can install for another account ($user)."
    user=$(id -un)
    as_user() { "$@"; }
fi
group=$(id -gn "$user")

# --- upgrade: back up first, with the code that wrote the data -------------------------------------
if [ "$upgrade" = 1 ] && [ "$take_backup" = 1 ]; then
    old_version=$("$venv/bin/python" -c 'import importlib.metadata as m; print(m.version("bangfu"))' 2>/dev/null) ||
        old_version=unknown
    backup="$data/backups/pre-upgrade-$old_version-$(TZ=Asia/Shanghai date +%Y%m%d-%H%M%S).bangfu"
    say "升级 $old_version → $bundle_version：先备份到 $backup" "upgrading $old_version → $bundle_version: backing up to $backup first"
    (umask 077 && as_user "$prefix/bin/bangfu" backup -o "$backup" --lang "$lang") ||
        die "升级前的备份没有成功，未做任何改动。排除上面的问题后重试；数据库从未建立时可加 --no-backup。" \
            "the backup before the upgrade failed; nothing was changed. Fix the problem above and retry (--no-backup only if the database was never set up)."
fi

# --- the virtual environment and the packages (no index: only ./wheels) ----------------------------
mkdir -p "$prefix/bin"
if [ -x "$venv/bin/python" ] && [ "$(py_version "$venv/bin/python")" != "$bundle_python" ]; then
    say "虚拟环境的 Python 版本不同，重新创建" "the venv has another Python version: recreating it"
    rm -rf "$venv"
fi
if [ ! -x "$venv/bin/python" ]; then
    if ! "$python" -m venv "$venv" >/dev/null 2>&1; then
        # Debian without python3-venv has no ensurepip: bring pip from the bundle's own wheel.
        rm -rf "$venv"
        "$python" -m venv --without-pip "$venv"
        pip_wheel=$(ls "$here"/wheels/pip-*.whl)
        "$venv/bin/python" "$pip_wheel/pip" install --quiet --no-index "$pip_wheel"
    fi
fi
pip_offline() {
    env -u PIP_INDEX_URL -u PIP_EXTRA_INDEX_URL -u PIP_FIND_LINKS -u PIP_CONSTRAINT -u PIP_REQUIREMENT \
        PIP_CONFIG_FILE=/dev/null PIP_NO_INDEX=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
        "$venv/bin/python" -m pip "$@"
}
say "安装 bangfu $bundle_version 及其依赖（离线）" "installing bangfu $bundle_version and its dependencies (offline)"
pip_offline install --quiet --no-index --find-links "$here/wheels" -r "$here/requirements.txt"
# The same version number may be a newer build: always replace bangfu itself.
pip_offline install --quiet --no-index --no-deps --force-reinstall "$here"/wheels/bangfu-*.whl
pip_offline check >/dev/null || die "依赖不完整（pip check）。" "dependencies are inconsistent (pip check)."

# --- settings, keys, the command wrapper -----------------------------------------------------------
install -d -m 0700 -o "$user" -g "$group" "$data" "$data/backups"
if [ ! -f "$env_file" ]; then
    sed "s#^BANGFU_DATA_DIR=.*#BANGFU_DATA_DIR=$data#" "$here/deploy/bangfu.env.example" >"$env_file"
    chown "root:$group" "$env_file" 2>/dev/null || true
    chmod 0640 "$env_file"
    say "已写入设置文件 $env_file" "wrote the settings file $env_file"
fi
secrets="$data/secrets.env"
if [ ! -f "$secrets" ]; then
    (
        umask 077
        {
            echo "# Written by install.sh. Keep it with the backups: the field key decrypts stored ID numbers."
            echo "BANGFU_SECRET_KEY=$("$venv/bin/python" -c 'import secrets; print(secrets.token_urlsafe(48))')"
            echo "BANGFU_FIELD_KEY=$("$venv/bin/python" -c 'import secrets; print(secrets.token_urlsafe(48))')"
        } >"$secrets"
    )
    chown "$user:$group" "$secrets"
    say "已生成密钥 $secrets（仅服务账号可读）：请另行保管一份" "generated the keys $secrets (readable by the service account only): keep a copy elsewhere"
fi
cat >"$prefix/bin/bangfu" <<EOF
#!/bin/sh
# Written by install.sh: the bangfu command with this installation's settings.
BANGFU_ENV_FILE="$env_file" exec "$venv/bin/bangfu" "\$@"
EOF
chmod 0755 "$prefix/bin/bangfu"

# The production set-up, with this installation's paths and account.
rm -rf "$prefix/deploy" "$prefix/docs" "$prefix/plans"
cp -r "$here/deploy" "$here/docs" "$here/plans" "$prefix/"
find "$prefix/deploy" -type f -exec sed -i \
    -e "s#/opt/bangfu#$prefix#g" -e "s#/var/lib/bangfu#$data#g" \
    -e "s#^User=bangfu\$#User=$user#" -e "s#^Group=bangfu\$#Group=$group#" \
    -e "s#^    su bangfu bangfu\$#    su $user $group#" {} +
if [ "$(id -u)" -eq 0 ]; then
    install -d -m 0750 -o "$user" -g "$group" /var/log/bangfu
fi

# --- the database ----------------------------------------------------------------------------------
say "应用数据库迁移" "applying database migrations"
(umask 077 && as_user "$prefix/bin/bangfu" migrate --noinput -v 0)

# --- next steps ------------------------------------------------------------------------------------
echo
if [ "$upgrade" = 1 ]; then
    say "bangfu 已升级到 $bundle_version（$prefix，数据目录 $data，数据与设置均保留）。" \
        "bangfu upgraded to $bundle_version ($prefix, data in $data; data and settings kept)."
    say "下一步：重启服务 systemctl restart bangfu.target，然后检查 $prefix/bin/bangfu doctor" \
        "next: restart the services (systemctl restart bangfu.target), then check with $prefix/bin/bangfu doctor"
else
    say "bangfu $bundle_version 已安装到 $prefix，数据目录 $data。" "bangfu $bundle_version installed in $prefix, data in $data."
    say "下一步（详见 $prefix/docs/deploy.md）：" "next steps (details in $prefix/docs/deploy.md):"
    say "  1. 编辑 $env_file：BANGFU_ALLOWED_HOSTS；使用 PostgreSQL 时设 DATABASE_URL 并重新运行 ./install.sh" \
        "  1. edit $env_file: BANGFU_ALLOWED_HOSTS; for PostgreSQL set DATABASE_URL and run ./install.sh again"
    say "  2. 载入区划并创建县级管理员：$prefix/bin/bangfu load-areas 区划.csv；$prefix/bin/bangfu create-admin 用户名 --county 县代码" \
        "  2. load the areas and create the county administrator: $prefix/bin/bangfu load-areas AREAS.csv; $prefix/bin/bangfu create-admin USERNAME --county CODE"
    say "  3. 启用服务：cp $prefix/deploy/systemd/* /etc/systemd/system/ && systemctl daemon-reload && systemctl enable --now bangfu.target" \
        "  3. enable the services: cp $prefix/deploy/systemd/* /etc/systemd/system/ && systemctl daemon-reload && systemctl enable --now bangfu.target"
    say "  4. HTTPS：$prefix/deploy/nginx/bangfu.conf；然后检查：$prefix/bin/bangfu doctor" \
        "  4. HTTPS: $prefix/deploy/nginx/bangfu.conf; then check: $prefix/bin/bangfu doctor"
fi
