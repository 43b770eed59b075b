#!/usr/bin/env bash
# Build the offline bundle for a county intranet server (no registry reachable there):
#   dist/bangfu-<version>-offline-<python>-<platform>.tar.gz
# holding the wheels of every runtime dependency that pyproject.toml lists *now*, bangfu's own
# wheel (templates, static files with the npm-built vendor assets, compiled translations, the
# plan file), pip's wheel, install.sh, deploy/ and the deployment docs.
#
# Default target: this machine's Python and platform (`pip wheel`, which also builds any
# dependency published only as source). Another target (binary wheels only):
#   BUNDLE_PYTHON=3.11 BUNDLE_PLATFORM=manylinux_2_28_aarch64 make bundle
# A `manylinux_2_N_<arch>` platform accepts every manylinux wheel for glibc 2.17 … 2.N.
# Expects `make install` to have run (the Makefile's `bundle` target sees to it).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
python=${BUNDLE_BUILD_PYTHON:-$root/.venv/bin/python}
pip=("$python" -m pip)
started=$(date +%s)

version=$("$python" -c 'import tomllib; print(tomllib.load(open("pyproject.toml", "rb"))["project"]["version"])')
target_python=${BUNDLE_PYTHON:-$("$python" -c 'import sys; print("%d.%d" % sys.version_info[:2])')}
py_tag="cp${target_python/./}"
if [ -n "${BUNDLE_PLATFORM:-}" ]; then
    cross=1
    # Every platform tag pip should accept, most specific first.
    mapfile -t platforms < <("$python" - "$BUNDLE_PLATFORM" <<'PY'
import re
import sys

for tag in sys.argv[1].replace(",", " ").split():
    match = re.fullmatch(r"manylinux_2_(\d+)_(\w+)", tag)
    if not match:
        print(tag)
        continue
    newest, arch = int(match.group(1)), match.group(2)
    for minor in range(newest, 16, -1):
        print(f"manylinux_2_{minor}_{arch}")
    print(f"manylinux2014_{arch}")
PY
    )
    platform_tag=${platforms[0]}
else
    cross=0
    platform_tag=$("$python" -c 'import sysconfig; print(sysconfig.get_platform().replace("-", "_").replace(".", "_"))')
fi

name="bangfu-${version}-offline-${py_tag}-${platform_tag}"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
stage="$work/$name"
mkdir -p "$stage/wheels" "$root/dist"

echo "== bangfu's wheel (built from a clean copy: no stale build/ files)"
mkdir -p "$work/src"
cp -r pyproject.toml README.md src "$work/src/"
find "$work/src" \( -name __pycache__ -o -name '*.egg-info' \) -prune -exec rm -rf {} +
"${pip[@]}" wheel --quiet --no-deps --wheel-dir "$work/own" "$work/src"
own_wheel=$(ls "$work"/own/bangfu-*.whl)
"$python" - "$own_wheel" <<'PY'
import sys
import zipfile

names = set(zipfile.ZipFile(sys.argv[1]).namelist())
required = [
    "bangfu/static/vendor/htmx.min.js",
    "bangfu/static/vendor/echarts.min.js",
    "bangfu/static/bangfu/app.css",
    "bangfu/templates/base.html",
    "bangfu/locale/en/LC_MESSAGES/django.mo",
    "bangfu/core/locale/en/LC_MESSAGES/django.mo",
    "bangfu/workplan/plans/2020-social-assistance.yaml",
]
missing = [name for name in required if name not in names]
if missing:
    sys.exit(f"bangfu's wheel lacks {missing}: run `make assets messages` first")
PY
cp "$own_wheel" "$stage/wheels/"

echo "== runtime dependencies for Python $target_python on ${platform_tag}"
if [ "$cross" = 1 ]; then
    platform_args=()
    for tag in "${platforms[@]}"; do platform_args+=(--platform "$tag"); done
    "${pip[@]}" download --quiet --only-binary=:all: "${platform_args[@]}" \
        --python-version "$target_python" --implementation cp \
        --abi "$py_tag" --abi abi3 --abi none \
        --dest "$stage/wheels" "$own_wheel"
else
    "${pip[@]}" wheel --quiet --wheel-dir "$stage/wheels" "$own_wheel"
fi
# install.sh bootstraps pip from this wheel when the target's Python has no ensurepip.
pip_version=$("$python" -c 'import importlib.metadata as m; print(m.version("pip"))')
"${pip[@]}" download --quiet --no-deps --only-binary=:all: --dest "$stage/wheels" "pip==$pip_version"

echo "== install.sh, deploy/, docs"
cp deploy/install.sh "$stage/install.sh"
chmod 755 "$stage/install.sh"
mkdir -p "$stage/deploy" "$stage/docs" "$stage/plans"
cp -r deploy/systemd deploy/nginx deploy/logrotate deploy/bangfu.env.example "$stage/deploy/"
cp docs/deploy.md docs/operations.md "$stage/docs/"
cp plans/*.yaml "$stage/plans/"
# Exact versions: the same bundle installs the same set every time (install.sh -r requirements.txt).
"$python" - "$stage/wheels" > "$stage/requirements.txt" <<'PY'
import sys
from pathlib import Path

for wheel in sorted(Path(sys.argv[1]).glob("*.whl")):
    dist, ver = wheel.name.split("-")[:2]
    if dist not in {"pip", "bangfu"}:
        print(f"{dist.replace('_', '-')}=={ver}")
PY
cat > "$stage/BUNDLE" <<EOF
name=$name
version=$version
python=$target_python
platform=$platform_tag
commit=$(git rev-parse --short HEAD 2>/dev/null || echo unknown)
built=$(date -u +%Y-%m-%dT%H:%M:%SZ)
EOF
(cd "$stage" && find . -type f ! -name SHA256SUMS -print0 | LC_ALL=C sort -z | xargs -0 sha256sum > SHA256SUMS)

tar -C "$work" -czf "$root/dist/$name.tar.gz" "$name"
wheels=$(find "$stage/wheels" -name '*.whl' | wc -l)
size=$(du -h "$root/dist/$name.tar.gz" | cut -f1)
echo "dist/$name.tar.gz: $wheels wheels, $size, built in $(( $(date +%s) - started )) s"
