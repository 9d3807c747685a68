#!/usr/bin/env bash
# Smoke test of the Linux packages as a user gets them (docs/release.md):
#   - the rpm: its file list and dependencies (rpm -qpl / -qpR; this is a Debian machine,
#     so the rpm is inspected, not installed);
#   - the deb: installed with apt-get (dependencies resolved from Debian); its desktop entry
#     valid (desktop-file-validate); an icon at every size it declares, each that size;
#     /usr/bin/dbdock --version; the installed app's window under Xvfb, not blank, and its
#     "Install into Claude Desktop" writing /usr/bin/dbdock (e2e/smoke/ through WebDriver);
#     then apt-get remove leaves none of the package's files behind and the user's data
#     where it was.
# Usage: scripts/package-smoke.sh [--debug]  (the bundles of scripts/package.sh; release by
# default). It installs a system package, so it needs root or sudo; it refuses to run
# where a DB Dock package is installed already.
set -euo pipefail
cd "$(dirname "$0")/.."
. scripts/services.sh

profile=release
[ "${1:-}" = "--debug" ] && profile=debug
bundles=$PWD/target/$profile/bundle
deb=$(find "$bundles/deb" -maxdepth 1 -name '*.deb' 2>/dev/null | head -n1 || true)
rpm=$(find "$bundles/rpm" -maxdepth 1 -name '*.rpm' 2>/dev/null | head -n1 || true)
if [ -z "$deb" ] || [ -z "$rpm" ]; then
    echo "package-smoke: no deb or rpm under $bundles: build them with scripts/package.sh${1:+ $1}" >&2
    exit 1
fi
fail() {
    echo "package-smoke: FAILED: $*" >&2
    exit 1
}

missing=()
command -v desktop-file-validate >/dev/null || missing+=(desktop-file-utils)
command -v rpm >/dev/null || missing+=(rpm)
command -v import >/dev/null || missing+=(imagemagick)
command -v xwininfo >/dev/null || missing+=(x11-utils)
if [ ${#missing[@]} -gt 0 ]; then
    log "installing ${missing[*]}"
    apt_install "${missing[@]}"
fi

version=$(python3 -c 'import json; print(json.load(open("tauri.conf.json"))["version"])')
package=$(dpkg-deb -f "$deb" Package)

log "rpm: file list and dependencies of $(basename "$rpm")"
rpm_files=$(rpm -qpl "$rpm" 2>/dev/null)
for file in /usr/bin/dbdock /usr/bin/dbdock-desktop "/usr/share/applications/DB Dock.desktop"; do
    grep -qxF "$file" <<<"$rpm_files" || fail "the rpm lacks $file (it has: $rpm_files)"
done
grep -q '^/usr/share/icons/hicolor/.*/apps/dbdock-desktop.png$' <<<"$rpm_files" || fail "the rpm has no icons"
rpm_requires=$(rpm -qpR "$rpm" 2>/dev/null)
grep -qx 'webkit2gtk4.1' <<<"$rpm_requires" || fail "the rpm does not require webkit2gtk4.1 (it requires: $rpm_requires)"

# It installs and removes its own build: a DB Dock the user installed is not touched.
if dpkg-query -W -f '${Status}' "$package" 2>/dev/null | grep -q "ok installed"; then
    fail "$package $(dpkg-query -W -f '${Version}' "$package") is installed on this machine; the smoke test installs and removes its own build, so remove it first (apt-get remove $package)"
fi
# Whatever happens, the package does not stay installed.
remove_package() {
    local status=$?
    if dpkg-query -W -f '${Status}' "$package" 2>/dev/null | grep -q "ok installed"; then
        DEBIAN_FRONTEND=noninteractive as_root apt-get remove -y -qq "$package" >/dev/null || true
    fi
    exit "$status"
}
trap remove_package EXIT

log "installing $(basename "$deb") with apt-get"
apt_install "$deb"
mapfile -t files < <(dpkg-query -L "$package" | while read -r f; do [ -f "$f" ] || [ -L "$f" ] && echo "$f"; done)
[ ${#files[@]} -gt 0 ] || fail "dpkg lists no files for $package"

log "desktop entry and icons"
desktop=$(printf '%s\n' "${files[@]}" | grep '^/usr/share/applications/.*\.desktop$' || true)
[ -n "$desktop" ] || fail "the package installs no desktop entry"
desktop-file-validate "$desktop" || fail "$desktop is not a valid desktop entry"
grep -q '^Exec=dbdock-desktop' "$desktop" || fail "$desktop does not start dbdock-desktop: $(grep ^Exec= "$desktop")"
icon=$(sed -n 's/^Icon=//p' "$desktop")
# Every icon tauri.conf.json's bundle.icon lists, in the folder of its size (`@2` for a
# `@2x` source) and still that size.
mapfile -t sources < <(python3 -c 'import json; print("\n".join(json.load(open("tauri.conf.json"))["bundle"]["icon"]))')
for source in "${sources[@]}"; do
    pixels=$(identify -format '%wx%h' "$source")
    size=$pixels
    [[ $source == *@2x.* ]] && size+=@2
    png=/usr/share/icons/hicolor/$size/apps/$icon.png
    [ -f "$png" ] || fail "no $size icon at $png (from $source)"
    actual=$(identify -format '%wx%h' "$png")
    [ "$actual" = "$pixels" ] || fail "$png is $actual, not $pixels"
done

log "/usr/bin/dbdock --version"
reported=$(/usr/bin/dbdock --version)
[[ "$reported " == "dbdock $version "* ]] || fail "/usr/bin/dbdock --version says '$reported', expected 'dbdock $version …'"

log "the installed app under Xvfb (e2e/smoke through WebDriver)"
bash scripts/e2e.sh --installed

log "removing $package"
# The user's data must outlive the package: a home with a file in it, made by the app's
# own CLI so it is the real layout.
user_home=$(mktemp -d)
DBDOCK_HOME=$user_home/dbdock /usr/bin/dbdock profile add keep-me --url "sqlite://$user_home/keep.db" >/dev/null ||
    fail "/usr/bin/dbdock could not add a profile to a fresh home"
home_marker=$(find "$user_home/dbdock" -type f | sort)
DEBIAN_FRONTEND=noninteractive as_root apt-get remove -y -qq "$package" >/dev/null
left=()
for f in "${files[@]}"; do
    [ -e "$f" ] || [ -L "$f" ] && left+=("$f")
done
[ ${#left[@]} -eq 0 ] || fail "apt-get remove left files of $package behind: ${left[*]}"
[ "$(find "$user_home/dbdock" -type f | sort)" = "$home_marker" ] || fail "removing the package changed the user's data in $user_home/dbdock"
rm -rf "$user_home"
log "package smoke test passed: $(basename "$deb") ($(du -h "$deb" | cut -f1)) installs, starts, installs into Claude Desktop and removes cleanly; $(basename "$rpm") lists its files and dependencies"
