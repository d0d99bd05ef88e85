"""`fieldvisit qr`: the QR display on its own, for showing a visit without opening the field app."""

from __future__ import annotations

from typing import Any

from fieldvisit.apps.base import BaseApp
from fieldvisit.screens.qr_display import QrScreen
from fieldvisit.stores.store import Store


class QrApp(BaseApp):
    TITLE_KEY = "app.field_title"

    def __init__(self, store: Store, bundle: dict[str, Any], ec: str, max_version: int, sealed_payload: bytes | None = None):
        super().__init__(store)
        self._screen = QrScreen(bundle, ec=ec, max_version=max_version, sealed_payload=sealed_payload)

    def get_default_screen(self) -> QrScreen:
        return self._screen
