import pytest

from fieldvisit.core import model
from fieldvisit.core.errors import InputError
from fieldvisit.core.references import device_short, issue_reference


def test_title_or_demand_is_enough():
    fields = model.normalise_issue({"title": "", "demand": "要求补发十月份井下津贴。其余另议"})
    assert fields["title"] == "要求补发十月份井下津贴"
    with pytest.raises(InputError) as raised:
        model.normalise_issue({"title": " ", "demand": ""})
    assert raised.value.field == "title"


def test_five_people_make_a_collective_visit():
    assert model.normalise_issue({"people": "5", "title": "x"})["collective"] is True
    assert model.normalise_issue({"people": "4", "title": "x"}).get("collective") is None
    assert model.normalise_issue({"people": "", "title": "x"})["people"] == 1
    with pytest.raises(InputError):
        model.normalise_issue({"people": "五", "title": "x"})


def test_anonymous_clears_the_name():
    fields = model.normalise_issue({"anonymous": True, "petitioner_name": "李强", "title": "x"})
    assert fields["petitioner_name"] == ""


@pytest.mark.parametrize("text", ["2026-11-25", "2026/11/25", "20261125", "2026.11.25", "2026年11月25日"])
def test_dates_in_the_forms_people_type(text):
    assert model.parse_date(text, "date") == "2026-11-25"


def test_bad_date_names_the_field():
    with pytest.raises(InputError) as raised:
        model.parse_date("下周三", "promised_date")
    assert raised.value.field == "promised_date"
    assert "下周三" in str(raised.value)


def test_leaders_parse_with_either_keyboard():
    assert model.parse_leaders("王志刚（矿长）、刘海燕 (工会主席), 陈立") == [
        {"name": "王志刚", "post": "矿长"},
        {"name": "刘海燕", "post": "工会主席"},
        {"name": "陈立", "post": ""},
    ]
    assert model.leaders_text(model.parse_leaders("王志刚（矿长）、陈立")) == "王志刚（矿长）、陈立"


def test_unknown_choices_are_refused():
    with pytest.raises(InputError):
        model.normalise_issue({"category": "bribes", "title": "x"})
    with pytest.raises(InputError):
        model.normalise_visit({"site_kind": "moon"})


def test_reference_is_date_device_and_sequence():
    device = "01JD8Z6Q0000000000000A7K3Q"
    assert device_short(device) == "A7K3Q"[-4:]
    assert issue_reference("2026-11-25", device, 4) == "20261125-7K3Q-004"
