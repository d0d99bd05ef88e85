"""Errors a person can see, defined once, each with a message key in the locale catalogues.

The message says what went wrong and what to do next; `str(error)` renders it in the current
language so the command line and the screens show the same words.
"""

from __future__ import annotations

import errno
import os
from typing import Any


class FieldVisitError(Exception):
    """Base of every error meant for a person rather than a traceback."""

    message_key = "error.generic"

    def __init__(self, message_key: str | None = None, **params: Any):
        self.message_key = message_key or self.message_key
        self.params = params
        super().__init__(self.message_key)

    def __str__(self) -> str:
        from fieldvisit.core.i18n import t

        return t(self.message_key, **self.params)


class InputError(FieldVisitError):
    """A form value that cannot be accepted; `field` says which input to fix."""

    def __init__(self, field: str, message_key: str, **params: Any):
        self.field = field
        super().__init__(message_key, **params)

    def __str__(self) -> str:
        from fieldvisit.core.i18n import field_label

        return f"{field_label(self.field)}: {super().__str__()}"


class StoreLockedError(FieldVisitError):
    message_key = "error.store_locked"


class StoreCorruptError(FieldVisitError):
    message_key = "error.fault.store_corrupt"


class StoreConflictError(FieldVisitError):
    """Someone else changed the record between this write's read and its save (a shared store
    such as PostgreSQL): nothing of this write was saved; reload and do it again.

    Params: `what` (the matter's reference or the record id), `by` (who changed it, may be
    empty), `at` (when, local time), `record_id`, `table`."""

    message_key = "error.store_postgres.conflict"

    def __init__(self, message_key: str | None = None, **params):
        if message_key is None and not params.get("by"):
            message_key = "error.store_postgres.conflict_unknown"
        super().__init__(message_key, **params)


class StoreUnavailableError(FieldVisitError):
    """A database store that cannot be opened: unreachable, no schema, a newer schema."""

    message_key = "error.store_postgres.unreachable"


class NotFoundError(FieldVisitError):
    message_key = "error.not_found"


class DemoRefusedError(FieldVisitError):
    message_key = "error.demo_refused"


class BundleError(FieldVisitError):
    """A bundle or QR payload that is refused; nothing was written."""

    message_key = "error.bundle.not_bundle"


class Quarantined(BundleError):
    """Not an error for the officer to fix: the bundle waits until its device is approved."""

    message_key = "trust.quarantined"


class PassphraseError(FieldVisitError):
    """The field store's passphrase is missing or wrong: the store was not opened and is unchanged."""

    message_key = "error.passphrase.wrong"


class FileFault(FieldVisitError):
    """A file or folder the OS refused (disk full, read-only, no permission, a stick pulled out,
    a missing folder): the path and the reason, translated, and never a record's contents."""

    message_key = "error.fault.io"

    REASONS = {
        errno.ENOSPC: "enospc",
        errno.EDQUOT: "enospc",
        errno.EROFS: "erofs",
        errno.EACCES: "eacces",
        errno.EPERM: "eacces",
        errno.ENOENT: "enoent",
        errno.ENOTDIR: "enotdir",
        errno.EEXIST: "enotdir",  # mkdir(exist_ok=True) meeting a file where a folder should be
        errno.EISDIR: "eisdir",
        errno.EIO: "eio",
        errno.ENODEV: "eio",
        errno.ENXIO: "eio",
    }

    @classmethod
    def from_os_error(cls, error: OSError, path: object = None) -> "FileFault":
        found = error.filename if error.filename is not None else path
        key = cls.REASONS.get(error.errno or 0)
        reason_key = f"error.fault.reason.{key}" if key else "error.fault.reason.other"
        return cls(path=os.fsdecode(found) if found is not None else "?", reason_key=reason_key, detail=error.strerror or str(error.errno or ""))

    def __str__(self) -> str:
        from fieldvisit.core.i18n import t

        reason = t(self.params["reason_key"], detail=self.params["detail"])
        return t(self.message_key, path=self.params["path"], reason=reason)


def user_error(error: BaseException) -> FieldVisitError | None:
    """The message a person should see for `error`, or None for a bug (which keeps its
    traceback, without local values). The one place an OSError becomes words."""
    if isinstance(error, FieldVisitError):
        return error
    if isinstance(error, OSError) and error.errno is not None:
        return FileFault.from_os_error(error)
    return None


class RosterError(FieldVisitError):
    """An employee list that cannot be read (which line or column, and why), or a kept roster
    that does not open: nothing was written and the roster on the laptop is unchanged."""

    message_key = "error.roster.unreadable"
