"""What a command that writes outside the office app does for the caches beside the store."""

from __future__ import annotations

from typing import Callable

from fieldvisit.stores.store import Store


def save_once_compacted(store: Store, save: Callable[[], None]) -> None:
    """Compact the store, then `save` a cache for it: a cache is saved for the store's token, and
    the token that counts is the one the store closes with. When compacting fails the writes
    are still kept (in the journal), and the cache is not saved: it only saves time."""
    try:
        store.compact()
    except OSError:
        return
    save()
