import pytest

from fieldvisit.core.records import add_entry, entries, get_value, last_stamp, new_record, set_fields, values


def test_set_fields_keeps_the_replaced_stamp_as_base():
    record = new_record("issue", "01JD0000000000000000000000")
    assert set_fields(record, {"title": "井下津贴少发", "people": 1}, "s1") == ["title", "people"]
    assert set_fields(record, {"title": "井下津贴连续两月少发", "people": 1}, "s2") == ["title"]
    assert record["fields"]["title"] == {"value": "井下津贴连续两月少发", "stamp": "s2", "base": "s1"}
    assert record["fields"]["people"] == {"value": 1, "stamp": "s1", "base": None}
    assert values(record) == {"id": record["id"], "title": "井下津贴连续两月少发", "people": 1}
    assert get_value(record, "missing", "default") == "default"


def test_grow_only_maps_never_overwrite():
    record = new_record("issue", "01JD0000000000000000000000")
    add_entry(record, "transitions", "01JD0000000000000000000002", {"to": "recorded"}, "s1")
    add_entry(record, "transitions", "01JD0000000000000000000001", {"to": "withdrawn"}, "s2")
    with pytest.raises(ValueError):
        add_entry(record, "transitions", "01JD0000000000000000000001", {"to": "closed"}, "s3")
    assert [entry["to"] for entry in entries(record, "transitions")] == ["recorded", "withdrawn"]  # by stamp
    assert last_stamp(record) == "s2"
