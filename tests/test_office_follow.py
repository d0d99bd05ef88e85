"""Two officers on one JSON store (issue 16 §3): the second office app opens read-only, says so
in its header, follows the first one's steps, and refuses its own writes with a clear message."""

from __future__ import annotations

import datetime as dt

from fieldvisit.screens.form_modal import FormModal
from fieldvisit.screens.office_matter import OfficeMatterScreen
from fieldvisit.screens.widgets.register_table import RegisterTable
from homes import home_of
from textual.widgets import Header, Input

from fieldvisit.apps.office import OfficeApp
from fieldvisit.cli.office import open_office_app_store
from fieldvisit.core.i18n import t
from fieldvisit.core.records import values
from fieldvisit.editing.editor import Editor
from fieldvisit.office.policy import DEFAULT_POLICY
from fieldvisit.office.workflow import Workflow
from fieldvisit.stores.factory import StoreSpec
from fieldvisit.stores.store import ISSUES

ANCHOR = dt.date(2026, 11, 20)


async def test_a_second_office_app_opens_read_only_and_follows_the_first(office_store_path):
    first = open_office_app_store(StoreSpec(file=office_store_path))  # the first officer's app holds the store
    assert not first.read_only
    first_workflow = Workflow(Editor(first, actor="王敏"), DEFAULT_POLICY)
    second = open_office_app_store(StoreSpec(file=office_store_path))  # not refused: read-only
    assert second.read_only
    app = OfficeApp(second, today=ANCHOR, home=home_of(second))
    try:
        async with app.run_test(size=(120, 40), notifications=True) as pilot:
            await pilot.pause()
            assert app.sub_title == t("journal.read_only_title")
            assert t("journal.read_only_title") in app.screen.query_one(Header).format_title().plain  # in the header
            target = next(iter(app.register_index.rows))
            first_workflow.assign(target, department="测试科")  # the first officer's step
            app.follow_writer()
            await app.workers.wait_for_complete()
            await pilot.pause()
            assert app.register_index.rows[target].department == "测试科"

            # the second officer tries a step: refused, in words, and nothing written
            before = first.get(ISSUES, target)
            box = app.screen.query_one("#register-search", Input)
            box.value = values(before)["ref"]
            await pilot.pause()
            app.screen.query_one("#register", RegisterTable).focus()
            await pilot.press("enter")
            await pilot.pause()
            assert isinstance(app.screen, OfficeMatterScreen)
            await pilot.press("g")
            await pilot.pause()
            assert isinstance(app.screen, FormModal)
            app.screen.query_one("#m-assignee").value = "李静"
            await pilot.press("ctrl+s")
            await pilot.pause()
            shown = [notification.message for notification in app._notifications]
            assert t("journal.read_only_step") in shown
            assert first.get(ISSUES, target) == before
    finally:
        second.close()
        first.close()
