"""The field app: a manager's laptop on a site visit. Thin: screens do their own work."""

from __future__ import annotations

from fieldvisit.base_app import BaseApp
from fieldvisit.screens.visits import VisitsScreen


class FieldApp(BaseApp):
    TITLE_KEY = "app.field_title"

    def get_default_screen(self) -> VisitsScreen:
        """The visits list is the base screen: nothing is drawn before it."""
        return VisitsScreen()
