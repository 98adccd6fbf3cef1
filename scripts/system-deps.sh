#!/usr/bin/env bash
# Install, with apt, the system programs hookbill's tests need -- only the missing ones.
#
# Checked: chromium (browser tests), the PostgreSQL server binaries (initdb, pg_ctl,
# postgres), gpg (PGP tickets), pdftotext (invoice PDF checks) and the DejaVu fonts
# (invoice PDF), and what PyICU builds against: ICU's headers, pkg-config and a C++
# compiler. When everything is there this only looks and exits: no apt-get
# update, no sudo, no network. It uses sudo only when not run as root.
#
# `system-deps.sh run` checks only what the panel itself needs (`make run`): gpg, for
# the demo's encrypted tickets, and PyICU's build needs.
set -euo pipefail

missing=()

have_postgres_server() {
    local bindir
    if command -v pg_config >/dev/null 2>&1; then
        # On Debian pg_config may come from libpq-dev without a server: check the files.
        bindir="$(pg_config --bindir 2>/dev/null || true)"
        if [[ -n "$bindir" && -x "$bindir/initdb" && -x "$bindir/pg_ctl" && -x "$bindir/postgres" ]]; then
            return 0
        fi
    fi
    for bindir in /usr/lib/postgresql/*/bin; do
        if [[ -x "$bindir/initdb" && -x "$bindir/pg_ctl" && -x "$bindir/postgres" ]]; then
            return 0
        fi
    done
    return 1
}

command -v gpg >/dev/null 2>&1 || missing+=(gnupg)
if [[ "${1:-}" != "run" ]]; then
    [[ -x /usr/bin/chromium ]] || missing+=(chromium)
    have_postgres_server || missing+=(postgresql)
    command -v pdftotext >/dev/null 2>&1 || missing+=(poppler-utils)
    [[ -f /usr/share/fonts/truetype/dejavu/DejaVuSans.ttf ]] || missing+=(fonts-dejavu-core)
fi
# PyICU (installed by pip for both) compiles against ICU.
command -v pkg-config >/dev/null 2>&1 || missing+=(pkg-config)
{ command -v pkg-config >/dev/null 2>&1 && pkg-config --exists icu-i18n; } || missing+=(libicu-dev)
command -v g++ >/dev/null 2>&1 || missing+=(g++)

if [[ ${#missing[@]} -eq 0 ]]; then
    echo "system-deps: all present"
    exit 0
fi

sudo=()
if [[ "$(id -u)" -ne 0 ]]; then
    if ! command -v sudo >/dev/null 2>&1; then
        echo "system-deps: missing ${missing[*]}, and not root and no sudo to install them" >&2
        exit 1
    fi
    sudo=(sudo)
fi

echo "system-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# `env` carries DEBIAN_FRONTEND through sudo, which resets the environment.
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends \
    -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold \
    "${missing[@]}"
