"""Which office steps a later correcting step undid (issue 15 §3).

An officer undoes the last step on a matter with a new step (`Workflow.undo`): a status
`transitions` entry naming, under `UNDOES`, the stamp of the step it takes back. Nothing is
removed: the history keeps both. The deadline rules (`policy.history_dates`) and the written
notices (`notices.decision`) read this to leave an undone decision out, so an undone acceptance
is not an acceptance, and the matter waits on its decision again, as late as it is.

Records are read raw (`maps`), as `policy` does: this module sits below the workflow.
"""

from __future__ import annotations

from typing import Any

UNDOES = "undoes"
"""The key of a correcting step's `transitions` entry: the stamp of the step it undid."""
TRANSITIONS_MAP = "transitions"


def undone_stamps(record: dict[str, Any]) -> set[str]:
    """The stamps of every step a correcting step undid."""
    steps = (record.get("maps", {}).get(TRANSITIONS_MAP) or {}).values()
    return {str((entry.get("value") or {}).get(UNDOES)) for entry in steps if (entry.get("value") or {}).get(UNDOES)}


def is_correction(entry: dict[str, Any]) -> bool:
    """Whether a `transitions` entry (as `records.entries` gives it) is a correcting step."""
    return bool(entry.get(UNDOES))
