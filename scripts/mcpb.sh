#!/usr/bin/env bash
# Builds the MCP Bundle (.mcpb) for Claude Desktop's one-click install: the manifest in
# packaging/mcpb/ with the app's version (tauri.conf.json) and its icons, validated and
# packed with the official CLI (@anthropic-ai/mcpb) to target/bundle/dbdock-VERSION.mcpb,
# then unpacked and validated again. The bundle carries no program: its server is the
# installed `dbdock mcp` (docs/release.md). With DBDOCK_BIN=path/to/dbdock it also starts
# that binary as the bundle would and checks its tools against the manifest.
# Needs Node.js and npm; the only download is the CLI from the npm registry (once).
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/services.sh
. scripts/services.sh

command -v npm >/dev/null || { echo "npm is missing: install Node.js 20 or newer" >&2; exit 1; }
# Apart from the UI's packages, like the Tauri CLI in scripts/package.sh.
mcpb_dir=target/mcpb-cli
mcpb_package=$mcpb_dir/node_modules/@anthropic-ai/mcpb
if [ "$(node -p "require('./$mcpb_package/package.json').version" 2>/dev/null)" != 2.1.2 ]; then
    log "installing the MCPB CLI (@anthropic-ai/mcpb 2.1.2)"
    npm install --prefix "$mcpb_dir" --no-save --no-audit --no-fund --loglevel=error @anthropic-ai/mcpb@2.1.2
fi
# Through node rather than node_modules/.bin, so Git Bash on Windows runs it the same way.
mcpb() { node "$mcpb_package/dist/cli/cli.js" "$@"; }

version=$(node -p "require('./tauri.conf.json').version")
stage=target/mcpb/dbdock
out=target/bundle/dbdock-$version.mcpb
log "staging the bundle (version $version) in $stage"
rm -rf "$stage" "$out"
mkdir -p "$stage" target/bundle
node -e '
    const fs = require("fs");
    const [source, target, version] = process.argv.slice(1);
    const manifest = JSON.parse(fs.readFileSync(source, "utf8"));
    manifest.version = version;
    fs.writeFileSync(target, JSON.stringify(manifest, null, 2) + "\n");
' packaging/mcpb/manifest.json "$stage/manifest.json" "$version"
cp icons/icon.png "$stage/icon.png"
cp icons/128x128.png "$stage/icon-128.png"

log "mcpb validate"
mcpb validate "$stage/manifest.json"
log "mcpb pack"
mcpb pack "$stage" "$out"
[ -s "$out" ] || { echo "mcpb pack wrote no $out" >&2; exit 1; }

# What Claude Desktop gets is the archive: unpack it and check it again.
unpacked=target/mcpb/unpacked
rm -rf "$unpacked"
mcpb unpack "$out" "$unpacked" >/dev/null
for file in manifest.json icon.png icon-128.png; do
    [ -f "$unpacked/$file" ] || { echo "$out lacks $file" >&2; exit 1; }
done
mcpb validate "$unpacked/manifest.json" >/dev/null
# shellcheck disable=SC2016 # JavaScript, not shell
node -e '
    const [file, version] = process.argv.slice(1);
    const manifest = require(require("path").resolve(file));
    if (manifest.version !== version) { console.error(`${file}: version ${manifest.version}, not ${version}`); process.exit(1); }
' "$unpacked/manifest.json" "$version"

if [ -n "${DBDOCK_BIN:-}" ]; then
    log "starting $DBDOCK_BIN as the bundle would"
    # python3 where it runs (on Windows it may be a stub that only opens the Store), else python.
    python=""
    for candidate in python3 python; do
        if "$candidate" -c 'import sys; sys.exit(sys.version_info < (3, 8))' >/dev/null 2>&1; then
            python=$candidate
            break
        fi
    done
    [ -n "$python" ] || { echo "Python 3.8 or newer is needed to check $DBDOCK_BIN" >&2; exit 1; }
    "$python" packaging/mcpb/check_server.py "$unpacked/manifest.json" "$DBDOCK_BIN"
fi
log "built $out"
