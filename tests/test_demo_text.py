import random
import re

from fieldvisit.demo.text import SITES, SiteProfile, make_matter

CATEGORIES = (
    "wages", "social_insurance", "work_safety", "working_conditions", "housing",
    "retirees_benefits", "legacy", "discipline", "land", "other",
)
FREE_TEXT = ("title", "detail", "demand", "onsite_answer", "commitment")
KIND = {
    "title": str, "detail": str, "demand": str, "onsite_answer": str, "commitment": str,
    "department": str, "petitioner_name": str, "anonymous": bool, "employee_no": str, "unit": str,
    "phone": str, "people": int, "representatives": str, "urgency": str, "safety_hazard": bool,
    "repeat": bool, "skip_level": bool, "vulnerable": bool, "legacy": bool, "latent_risk": bool,
}
HAN = re.compile(r"[\u4e00-\u9fff]")


def han(text: str) -> int:
    return len(HAN.findall(text))


def sample(seed: int, count: int) -> list[tuple[SiteProfile, dict]]:
    rng = random.Random(seed)
    out = []
    for index in range(count):
        site = rng.choice(SITES)
        out.append((site, make_matter(rng, CATEGORIES[index % len(CATEGORIES)], site)))
    return out


def test_sites_are_complete() -> None:
    assert len(SITES) >= 9
    for site in SITES:
        assert site.kind in ("mine_district", "workshop", "team", "retirees", "office", "other")
        assert site.name and site.units and site.leaders and site.recorder and site.title


def test_same_seed_gives_same_matters() -> None:
    assert sample(42, 30) == sample(42, 30)
    assert sample(42, 30) != sample(43, 30)


def test_every_category_has_keys_and_types() -> None:
    rng = random.Random(1)
    for category in CATEGORIES:
        for site in SITES:
            matter = make_matter(rng, category, site)
            assert set(matter) == set(KIND) | {"commitment_days"}
            for key, kind in KIND.items():
                assert type(matter[key]) is kind, key
            assert matter["unit"] in site.units
            assert matter["urgency"] in ("normal", "urgent", "critical")
            assert matter["title"] and matter["detail"] and matter["demand"] and matter["onsite_answer"]
            assert matter["department"]


def test_commitment_days_follow_commitment() -> None:
    for _, matter in sample(3, 200):
        if matter["commitment"]:
            assert 3 <= matter["commitment_days"] <= 30
        else:
            assert matter["commitment_days"] is None


def test_free_text_length() -> None:
    for _, matter in sample(5, 200):
        total = sum(han(matter[field]) for field in FREE_TEXT)
        assert 100 <= total <= 190, (total, matter)
        assert 8 <= han(matter["title"]) <= 20


def test_wording_is_unique() -> None:
    matters = [matter for _, matter in sample(7, 50)]
    details = [matter["detail"] for matter in matters]
    assert len(set(details)) == len(details)
    sentences = [
        part.strip()
        for matter in matters
        for field in FREE_TEXT
        for part in re.split(r"[。！？；]", matter[field])
        if part.strip()
    ]
    assert len(set(sentences)) / len(sentences) > 0.9


def test_names_are_mostly_distinct() -> None:
    names = [matter["petitioner_name"] for _, matter in sample(11, 200) if matter["petitioner_name"]]
    assert len(set(names)) / len(names) > 0.9
    assert all(2 <= len(name) <= 3 for name in names)


def test_collective_visits_have_representatives() -> None:
    matters = [matter for _, matter in sample(13, 300)]
    assert any(matter["people"] >= 5 for matter in matters)
    for matter in matters:
        if matter["people"] >= 5:
            representatives = matter["representatives"].split("、")
            assert 2 <= len(representatives) <= 3
        else:
            assert matter["representatives"] == ""


def test_anonymous_matters_hide_identity() -> None:
    matters = [matter for _, matter in sample(17, 300)]
    assert any(matter["anonymous"] for matter in matters)
    for matter in matters:
        if matter["anonymous"]:
            assert matter["petitioner_name"] == matter["phone"] == matter["employee_no"] == ""
        if matter["phone"]:
            assert re.fullmatch(r"1[35789]\d{9}", matter["phone"])
        if matter["employee_no"]:
            assert re.fullmatch(r"DF\d{6}", matter["employee_no"])


def test_work_safety_is_hazardous_and_urgent() -> None:
    rng = random.Random(19)
    safety = [make_matter(rng, "work_safety", rng.choice(SITES)) for _ in range(100)]
    wages = [make_matter(rng, "wages", rng.choice(SITES)) for _ in range(100)]
    assert sum(m["safety_hazard"] for m in safety) > 60 > sum(m["safety_hazard"] for m in wages)
    assert sum(m["urgency"] == "critical" for m in safety) > sum(m["urgency"] == "critical" for m in wages)
