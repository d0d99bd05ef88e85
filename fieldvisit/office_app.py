"""The office app: the petition office's PC. Four modes, one key each: the register (F2), what
needs attention today (F3), statistics (F4) and imports from USB sticks and QR scans (F5)."""

from __future__ import annotations

import datetime as dt
import gc
from textual.binding import Binding

from fieldvisit.base_app import BaseApp
from fieldvisit.editor import Editor
from fieldvisit.i18n import t
from fieldvisit.policy import DEFAULT_POLICY, Policy
from fieldvisit.register import RegisterIndex
from fieldvisit.screens.attention import AttentionScreen
from fieldvisit.screens.imports import ImportsScreen
from fieldvisit.screens.register import RegisterScreen
from fieldvisit.screens.statistics import StatisticsScreen
from fieldvisit.store import Store
from fieldvisit.workflow import Workflow


GC_THRESHOLDS = (50_000, 20, 100)
"""The office app holds the whole register; collecting young objects every 700 allocations (the
default) put 30–40 ms pauses into keystrokes on 100,000 matters."""


class OfficeApp(BaseApp):
    TITLE_KEY = "app.office_title"
    MODES = {
        "register": RegisterScreen,
        "attention": AttentionScreen,
        "statistics": StatisticsScreen,
        "imports": ImportsScreen,
    }
    DEFAULT_MODE = "register"
    BINDINGS = [
        *BaseApp.BINDINGS,
        Binding("f2", "switch_mode('register')", t("mode.register")),
        Binding("f3", "switch_mode('attention')", t("mode.attention")),
        Binding("f4", "switch_mode('statistics')", t("mode.statistics")),
        Binding("f5", "switch_mode('imports')", t("mode.imports")),
    ]

    def __init__(self, store: Store, editor: Editor | None = None, policy: Policy = DEFAULT_POLICY, today: dt.date | None = None):
        super().__init__(store, editor)
        gc.set_threshold(*GC_THRESHOLDS)
        self.workflow = Workflow(self.editor, policy)
        self.register_index = RegisterIndex(store, policy, today or dt.date.today()).build()

    def reindex(self) -> None:
        """After an import: rebuild the register rows from the store."""
        self.register_index.build()
