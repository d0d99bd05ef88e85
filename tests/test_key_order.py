"""§1 of issue 14: keys typed with no pause land, in order, in the field focused at that point.

Every matter's keys are posted at once (a practised typist, a paste, a keyboard-wedge device);
the assertions are on the store, field by field.
"""

from __future__ import annotations

from fieldvisit.screens.visit import VisitScreen
from textual.widgets import Input

from fieldvisit.apps.field import FieldApp
from fieldvisit.core.records import values
from fieldvisit.stores.store import ISSUES
from tests.keys_burst import Text as T
from tests.keys_burst import burst

FULL_MATTER = [
    T("井下津贴连续两月少发"), "enter",
    T("要求补发九月、十月井下津贴"), "tab",
    "down", "down", "enter",  # category: other → wages → social insurance
    "down", "enter",  # urgency: urgent
    T("李建国"), "enter",
    "enter",  # not anonymous
    T("123456"), "enter",
    T("采一对"), "backspace", T("队"), "tab",
    T("13900000000"), "enter",
    T("2"), "enter",
    T("李建国、王强"), "enter",
    T("九月起津贴按新标准核算，"), "ctrl+j", T("少发约1200元。"), "enter",
    T("已请劳资科核对"), "tab",
    T("三日内答复"), "enter",
    T("2026-11-23"), "enter",
    "enter",  # first owner: the first leader, as given
    T("劳资科"), "enter",
    "ctrl+u", T("2026-11-19"), "enter",  # raised the day before the visit, corrected
    "space", "enter",  # safety hazard
    "enter",  # repeat
    "space", "tab",  # skip level
    "ctrl+s",
]
ANONYMOUS_MATTER = [
    T("Bathhouse has no hot water"), "enter",
    "tab",
    "up", "enter",  # category: other → land
    "up", "enter",  # urgency: normal → critical
    "enter",  # no name
    "space", "enter",  # anonymous: employee no. and phone are skipped
    T("Workshop 3"), "enter",
    T("7"), "enter",
    "ctrl+s",
]
DEMAND_ONLY = [
    "tab", T("要求恢复夜班班车"), "ctrl+s",
]


async def test_three_matters_typed_without_a_pause(store, editor, visit):
    app = FieldApp(store, editor)
    async with app.run_test(size=(120, 40)) as pilot:
        app.push_screen(VisitScreen(visit["id"]))
        await pilot.pause()
        await pilot.pause()
        assert app.focused.id == "f-title"
        await burst(pilot, FULL_MATTER + ANONYMOUS_MATTER + DEMAND_ONLY)
        assert app.focused.id == "f-title" and app.screen.query_one("#f-title", Input).value == ""

    issues = sorted((values(record) for record in store.all(ISSUES)), key=lambda issue: issue["ref"])
    assert len(issues) == 3
    first, second, third = issues
    assert {name: first.get(name) for name in EXPECTED_FIRST} == EXPECTED_FIRST
    assert first["detail"] == "九月起津贴按新标准核算，\n少发约1200元。"
    assert not any(first.get(flag) for flag in ("repeat", "collective", "vulnerable", "legacy", "latent_risk", "anonymous"))
    assert {name: second.get(name) for name in EXPECTED_SECOND} == EXPECTED_SECOND
    assert third["title"] == "要求恢复夜班班车" and third["demand"] == "要求恢复夜班班车"
    assert third["category"] == "other" and third["urgency"] == "normal" and third["people"] == 1
    assert first["raised_at"].startswith("2026-11-19T12:00:00")
    assert second["raised_at"].startswith("2026-11-20T12:00:00") and third["raised_at"][:10] == "2026-11-20"


EXPECTED_FIRST = {
    "title": "井下津贴连续两月少发",
    "demand": "要求补发九月、十月井下津贴",
    "category": "social_insurance",
    "urgency": "urgent",
    "petitioner_name": "李建国",
    "employee_no": "123456",
    "unit": "采一队",
    "phone": "13900000000",
    "people": 2,
    "representatives": "李建国、王强",
    "onsite_answer": "已请劳资科核对",
    "commitment": "三日内答复",
    "promised_date": "2026-11-23",
    "first_owner": "王志刚",
    "department": "劳资科",
    "safety_hazard": True,
    "skip_level": True,
}
EXPECTED_SECOND = {
    "title": "Bathhouse has no hot water",
    "demand": None,
    "category": "land",
    "urgency": "critical",
    "anonymous": True,
    "petitioner_name": None,  # an empty field is not written
    "employee_no": None,
    "phone": None,
    "unit": "Workshop 3",
    "people": 7,
    "collective": True,
}
