"""The office app: the petition office's PC. Five modes, one key each: the register (F2), what
needs attention today (F3), statistics (F4), imports from USB sticks and QR scans (F5) and the
laptops enrolled with the office (F6). The officer says who they are once (asked on first open,
changeable from the command palette); every write is signed with that name."""

from __future__ import annotations

import datetime as dt
import gc
import threading
from functools import cached_property
from importlib import import_module
from typing import Callable

from pathlib import Path
from typing import Iterable

from textual.app import SystemCommand
from textual.binding import Binding
from textual.screen import Screen

from fieldvisit.apps.base import BaseApp
from fieldvisit.editing.editor import Editor
from fieldvisit.core.i18n import t
from fieldvisit.locations.paths import Home
from fieldvisit.office.policy import DEFAULT_POLICY, Policy
from fieldvisit.office.facts_db import facts_for
from fieldvisit.office.facts_cache import FactsCache
from fieldvisit.office.register_db import register_for
from fieldvisit.office.register_cache import FOLD_ROWS, RegisterCache
from fieldvisit.screens.register import RegisterScreen
from fieldvisit.stores.store import Store
from fieldvisit.office.officer import FIELD as OFFICER_FIELD, load_officer, save_officer
from fieldvisit.office.workflow import Workflow

GC_THRESHOLDS = (50_000, 20, 100)
"""The office app holds the whole register; collecting young objects every 700 allocations (the
default) put 30–40 ms pauses into keystrokes on 100,000 matters."""


FOLLOW_SECONDS = 1.0
"""How often a read-only office app looks for the writer's new steps."""


def _shown_later(module: str, name: str) -> Callable[[], Screen]:
    """A mode's screen, its module imported when the mode is first shown: the app opens on the
    register, and the other modes' modules (the trust gate and its crypto, bundle imports, the
    statistics and repeats) would add some 40 ms to every start (issue 16 §4)."""

    def screen() -> Screen:
        return getattr(import_module(f"fieldvisit.screens.{module}"), name)()

    return screen


class OfficeApp(BaseApp):
    TITLE_KEY = "app.office_title"
    MODES = {
        "register": RegisterScreen,
        "attention": _shown_later("attention", "AttentionScreen"),
        "statistics": _shown_later("statistics", "StatisticsScreen"),
        "imports": _shown_later("imports", "ImportsScreen"),
        "devices": _shown_later("devices", "DevicesScreen"),
    }
    DEFAULT_MODE = "register"
    BINDINGS = [
        *BaseApp.BINDINGS,
        Binding("f2", "switch_mode('register')", t("mode.register")),
        Binding("f3", "switch_mode('attention')", t("mode.attention")),
        Binding("f4", "switch_mode('statistics')", t("mode.statistics")),
        Binding("f5", "switch_mode('imports')", t("mode.imports")),
        Binding("f6", "switch_mode('devices')", t("mode.devices")),
    ]

    def __init__(
        self,
        store: Store,
        editor: Editor | None = None,
        policy: Policy = DEFAULT_POLICY,
        today: dt.date | None = None,
        cache: RegisterCache | None = None,
        home: Home | None = None,
        officer_file: Path | None = None,
    ):
        """`cache`: the register cache in the office's home. When it fits the store, the register
        is shown from it and the store (a deferred `SplicingJSONStore`) is read after the first paint.
        `officer_file`: where this OS account's officer name is remembered (`paths.officer_file`);
        with one and no name in it yet, the app asks for it on opening. Without one, the editor's
        actor signs (tests, scripts)."""
        super().__init__(store, editor, home)
        self.officer_file = officer_file
        self.officer = load_officer(officer_file)
        if self.officer:
            store.sign_as(self.officer)  # a shared store names the officer in another's conflict
        self._ui_thread = threading.get_ident()  # the app runs on the thread that makes it
        gc.set_threshold(*GC_THRESHOLDS)
        self.policy = policy
        self.cache = cache
        self._today = today
        register = register_for(store, policy, today or dt.date.today())
        self.register_index = register.follow(self.on_app_thread)
        """The register's rows: every one in memory (`RegisterIndex`), or asked of a database
        that pages them itself (`DatabaseRegister`), whichever the store suits."""
        if not register.uses_cache:
            self.cache = None
        self._cached_version = register.version if register.open(cache) else None
        self.matter_facts = facts_for(store, FactsCache.of(self.home))
        """What the attention list and the statistics count (`office.facts`), kept in step: in
        memory, or asked of a database that keeps them (`office.facts_db`)."""
        self._cache_writer: threading.Thread | None = None

    @property
    def editor(self) -> Editor:
        """The base app's editor, signing every write with the officer's name."""
        editor = super().editor
        editor.signs = True
        if self.officer:
            editor.actor = self.officer
        return editor

    @property
    def read_only(self) -> bool:
        """Opened beside another officer's office app: it shows and follows, and writes nothing."""
        return bool(getattr(self.store, "read_only", False))

    def on_mount(self) -> None:
        if self.read_only:
            self.sub_title = t("journal.read_only_title")
            self.set_interval(FOLLOW_SECONDS, self.follow_writer)
        if self.officer_file is not None and not self.officer:
            self.action_who_am_i()

    def follow_writer(self) -> None:
        """Take in the other app's steps and imports (in a thread: a compaction may mean reading
        the store again); the register follows through the store's listeners."""
        refresh = getattr(self.store, "refresh", None)
        if refresh is not None:
            self.run_worker(refresh, thread=True, exclusive=True, group="follow-writer", exit_on_error=False)

    def action_who_am_i(self) -> None:
        """Ask the officer's name (refusing an empty one) and remember it for this OS account."""
        # imported when first needed: the app starts without it
        from fieldvisit.screens.form_modal import FormField, FormModal

        def save(found: dict) -> None:
            self.officer = save_officer(self.officer_file, found[OFFICER_FIELD])
            self.editor.actor = self.officer  # the workflow holds this editor: its next step signs so
            self.store.sign_as(self.officer)

        def saved(found: dict | None) -> None:
            if found is not None:
                self.notify(t("officer.saved", name=self.officer))

        field = FormField(OFFICER_FIELD, t("officer.field.officer"), value=self.officer, placeholder=t("officer.placeholder"))
        self.push_screen(FormModal(t("officer.title"), [field], hint=t("officer.hint"), save=save), saved)

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        yield SystemCommand(t("officer.command"), t("officer.command_help", name=self.officer or "—"), self.action_who_am_i)

    def on_app_thread(self, action: Callable[[], None]) -> None:
        """Run `action` on the app's thread (where screens read the register), waiting for it."""
        if threading.get_ident() == self._ui_thread or not self.is_running:
            action()
        else:
            self.call_from_thread(action)

    @cached_property
    def workflow(self) -> Workflow:
        """Steps dated by the app's `today` when one was given (demos, tests), else the clock's."""
        if self._today is None:
            return Workflow(self.editor, self.policy)
        return Workflow(self.editor, self.policy, today=lambda: self._today)

    def on_register_screen_shown(self, _: RegisterScreen.Shown) -> None:
        """What waits until the register is on screen: reading the store, writing the cache (in
        a thread: every row when none fitted, or when the delta kept beside it has grown)."""
        index = self.register_index
        index.load_search()
        later = index.in_background()
        if later is not None:
            self.run_worker(later, thread=True, group="register-background", exit_on_error=False)
        if self._cached_version is None or index.cache_delta_rows > FOLD_ROWS:
            self.save_register_cache(whole=True, wait=False)
        load_in_background = getattr(self.store, "load_in_background", None)
        if load_in_background is not None:
            load_in_background()
        # the matters' facts from their file beside the store, if it fits (a second or so): the
        # attention list and the statistics then count at once; without it they read the store
        # when first asked
        self.run_worker(self._facts_from_file, thread=True, group="matter-facts", exit_on_error=False)

    def _facts_from_file(self) -> None:
        """The matters' facts from their file, and the order repeat suggestions walk them in."""
        if self.matter_facts.open_cached():
            self.matter_facts.repeat_index()

    def save_register_cache(self, whole: bool = False, wait: bool = True) -> None:
        """Keep the rows for the next start, unless the cache already holds them as they are:
        by default only the rows changed since the cache's rows file (the quick exit), with
        `whole` all of them. The rows are taken here; the files are written in a thread, which
        `wait` waits for (as the exit does)."""
        self.wait_for_register_cache()
        index = self.register_index
        if self.cache is not None and (whole or self._cached_version != index.version or self.cache.key(self.store) != index.cached_key):
            write = index.saving(self.cache, whole=whole)
            self._cached_version = index.version
            self._cache_writer = threading.Thread(target=write, name="fieldvisit-register-cache", daemon=True)
            self._cache_writer.start()
            if wait:
                self.wait_for_register_cache()

    def save_caches(self) -> None:
        """At exit: the register's rows and the matters' facts, for the next start."""
        self.save_register_cache()
        self.matter_facts.save()

    def wait_for_register_cache(self) -> None:
        """Until the cache write in progress, if any, is on disk."""
        writer, self._cache_writer = self._cache_writer, None
        if writer is not None:
            writer.join()
