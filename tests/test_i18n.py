from fieldvisit.core import i18n
from fieldvisit.core import model


def test_catalogues_have_the_same_keys():
    assert set(i18n.catalogue("zh-CN")) == set(i18n.catalogue("en"))


def test_every_choice_has_a_label_in_both_languages():
    groups = {
        "site_kind": model.SITE_KINDS,
        "category": model.DEFAULT_CATEGORIES,
        "urgency": model.URGENCIES,
        "flag": model.FLAGS,
        "status": model.STATUSES,
        "visit_status": model.VISIT_STATUSES,
    }
    for code in ("zh-CN", "en"):
        keys = i18n.catalogue(code)
        for group, codes in groups.items():
            for value in codes:
                assert f"{group}.{value}" in keys, (code, group, value)
        for field in (*model.ISSUE_EDITABLE_FIELDS,):
            assert f"field.{field}" in keys or field in model.FLAGS, (code, field)


def test_language_follows_the_locale_unless_told(monkeypatch):
    monkeypatch.delenv("FIELDVISIT_LANG", raising=False)
    monkeypatch.setenv("LC_ALL", "zh_CN.UTF-8")
    assert i18n.detect_language() == "zh-CN"
    monkeypatch.setenv("LC_ALL", "de_DE.UTF-8")
    assert i18n.detect_language() == "en"
    monkeypatch.setenv("FIELDVISIT_LANG", "zh")
    assert i18n.detect_language() == "zh-CN"


def test_translation_switches_and_formats():
    try:
        i18n.set_language("en")
        assert i18n.t("cli.matters", count=3) == "3 matters"
        i18n.set_language("zh-CN")
        assert i18n.t("cli.matters", count=3) == "3 件事项"
        assert i18n.t("no.such.key") == "no.such.key"
    finally:
        i18n.set_language("zh-CN")
