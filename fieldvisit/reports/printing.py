"""The app's "print summary" key: write a visit's summary as PDF beside the store, then hand it to
the system printer (`lp`) when one is set up. Says where the file went either way."""

from __future__ import annotations

import shutil
import subprocess
from dataclasses import dataclass
from pathlib import Path

from fieldvisit.core.i18n import t
from fieldvisit.reports import write
from fieldvisit.reports.data import visit_summary
from fieldvisit.reports.document import Document
from fieldvisit.reports.documents import summary_document
from fieldvisit.stores.store import Store


@dataclass(frozen=True)
class Printed:
    path: Path
    printer: str  # "" when nothing was sent to a printer

    def message(self) -> str:
        if self.printer:
            return t("report.sent", path=str(self.path), printer=self.printer)
        return t("report.written_no_printer", path=str(self.path))


def print_visit_summary(store: Store, visit_id: str, folder: Path, redact: bool = False) -> Printed:
    document = summary_document(visit_summary(store, visit_id, redact=redact), write.now())
    return print_document(document, folder, f"summary-{visit_id[-6:]}")


def print_follow_up_list(store: Store, visit_id: str, folder: Path, on_visit: bool = True) -> Printed:
    """The follow-up list (回访清单) of a visit's site, as the follow-up view shows it."""
    from fieldvisit.reports.followups import follow_up_document, follow_up_list

    found = follow_up_list(store, visit_id, on_visit=on_visit)
    return print_document(follow_up_document(found, write.now()), folder, f"followup-{found.as_of.isoformat()}-{visit_id[-6:]}")


def print_document(document: Document, folder: Path, name: str) -> Printed:
    """Write `document` as PDF into `folder` and send it to the default printer, if there is one."""
    Path(folder).mkdir(parents=True, exist_ok=True)  # an existing folder: the file goes inside it
    path = write.write(document, "pdf", Path(folder), default_name=name)
    printer = default_printer()
    if printer and subprocess.run(["lp", str(path)], capture_output=True, timeout=30).returncode != 0:
        printer = ""
    return Printed(path, printer)


def default_printer() -> str:
    """The system's default printer name, or "" when there is no `lp` or no printer set up."""
    if not shutil.which("lp") or not shutil.which("lpstat"):
        return ""
    result = subprocess.run(["lpstat", "-d"], capture_output=True, text=True, timeout=10)
    line = result.stdout.strip()
    return line.split(":", 1)[1].strip() if result.returncode == 0 and ":" in line else ""
