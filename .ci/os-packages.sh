# Sourced by the CI helpers (.ci/postgres-server.sh, .ci/pdf-tools.sh): install one OS package that
# some tests need, on Debian/Ubuntu, when we are root or have password-less sudo; otherwise say
# what to install and what happens without it. Only bash builtins and apt-get/sudo/id are used,
# so the tests of these files can run them against fakes on a PATH of their own.

# install_os_package PACKAGE WHAT HINT CONSEQUENCE: WHAT names the missing thing ("a PostgreSQL
# server"), HINT is added to "install the OS package …" (may be empty), CONSEQUENCE says what
# the tests do without it. Returns 1 when nothing was installed.
install_os_package() {
    local package="$1" what="$2" hint="$3" consequence="$4"
    if ! command -v apt-get >/dev/null 2>&1; then
        echo "ci: no ${what} and no apt-get here: install the OS package ${package}${hint}; ${consequence}" >&2
        return 1
    fi
    local sudo=()
    if [ "$(id -u)" -ne 0 ]; then
        if command -v sudo >/dev/null 2>&1 && sudo -n true >/dev/null 2>&1; then
            sudo=(sudo -n)
        else
            echo "ci: no ${what}, and installing it needs root: run 'apt-get install -y ${package}' as root${hint}; ${consequence}" >&2
            return 1
        fi
    fi
    echo "ci: installing ${what} from the OS packages (apt-get install -y ${package})"
    if ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q \
        || ! "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${package}"; then
        echo "ci: installing ${package} failed; ${consequence}" >&2
        return 1
    fi
}
