"""Saving that fails (disk full, a pulled stick, a damaged matter) is said, never a crash.

The screens call `tell_not_saved` from their save handlers: the form keeps what was typed, and
the recorder reads why it was not saved and that Ctrl+S tries again. A bug (anything that is not
a refusal by fieldvisit or the OS) is raised on.
"""

from __future__ import annotations

from textual.dom import DOMNode

from fieldvisit.core.errors import user_error
from fieldvisit.core.i18n import t

NOT_SAVED_SECONDS = 20
"""Long enough to read a reason with a path in it, and to move to another folder or free space."""


def tell_not_saved(node: DOMNode, error: BaseException, kept_in_form: bool = True) -> None:
    """Notify why a write failed; `kept_in_form` when a form still holds what was typed."""
    found = user_error(error)
    if found is None:
        raise error
    message = t("error.fault.not_saved" if kept_in_form else "error.fault.not_done", reason=str(found))
    node.notify(message, severity="error", timeout=NOT_SAVED_SECONDS, markup=False)
