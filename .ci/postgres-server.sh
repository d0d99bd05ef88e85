# Sourced by .ci/run: make sure a PostgreSQL server is installed for the PostgreSQL store's tests
# (tests/pg_cluster.py starts a throwaway one from these binaries). Without one those tests fail,
# never skip, so a CI machine missing it is told why. On Debian/Ubuntu it is installed from the
# OS packages when we are root (or have password-less sudo); elsewhere we say what to install.
# FIELDVISIT_CI_PG_ROOT overrides where Debian keeps the server (tests of this file use it).

# shellcheck source=os-packages.sh
. "${BASH_SOURCE[0]%/*}/os-packages.sh"

postgres_server_found() {
    local root="${FIELDVISIT_CI_PG_ROOT:-/usr/lib/postgresql}"
    compgen -G "$root/*/bin/initdb" >/dev/null && return 0
    command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1
}

ensure_postgres_server() {
    if [ -n "${FIELDVISIT_TEST_PG_URL:-}" ]; then
        echo "ci: PostgreSQL tests use FIELDVISIT_TEST_PG_URL"
        return 0
    fi
    if postgres_server_found; then
        return 0
    fi
    install_os_package postgresql "PostgreSQL server" " (initdb, pg_ctl) or set FIELDVISIT_TEST_PG_URL" "the PostgreSQL tests will fail" || return 0
    postgres_server_found || echo "ci: postgresql is installed but no initdb was found under ${FIELDVISIT_CI_PG_ROOT:-/usr/lib/postgresql}" >&2
    return 0
}
