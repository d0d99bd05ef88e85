# Sourced by .ci/run: the PDF tests read what a printed summary, report or notice says with
# poppler's pdftotext and pdftoppm (Chinese text, layout); without them they are skipped, so a
# CI machine missing them installs them from the OS packages when it may (.ci/os-packages.sh).

# shellcheck source=os-packages.sh
. "${BASH_SOURCE[0]%/*}/os-packages.sh"

ensure_pdf_tools() {
    if command -v pdftotext >/dev/null 2>&1 && command -v pdftoppm >/dev/null 2>&1; then
        return 0
    fi
    install_os_package poppler-utils "pdftotext" "" "the tests that read printed PDFs will be skipped" || return 0
}
