#!/usr/bin/env bash
# Copy the front-end libraries from the npm registry into static/vendor (not committed).
set -euo pipefail
cd "$(dirname "$0")/.."
dest=src/bangfu/static/vendor
if [ ! -d node_modules/htmx.org ] || [ ! -d node_modules/echarts ]; then
    npm ci --no-audit --no-fund --loglevel=error
fi
mkdir -p "$dest"
cp node_modules/htmx.org/dist/htmx.min.js "$dest/htmx.min.js"
cp node_modules/echarts/dist/echarts.min.js "$dest/echarts.min.js"
