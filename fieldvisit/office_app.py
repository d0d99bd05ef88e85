"""The office app: the petition office's PC, where laptops' bundles are merged into one store."""

from __future__ import annotations

from fieldvisit.base_app import BaseApp
from fieldvisit.screens.imports import ImportsScreen


class OfficeApp(BaseApp):
    TITLE_KEY = "app.office_title"

    def get_default_screen(self) -> ImportsScreen:
        return ImportsScreen()
