"""Masks for copies that leave the office (fieldvisit.core.privacy, issue 14 §6)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from fieldvisit.core.privacy import mask_digits, mask_employee_no, mask_name


@pytest.mark.parametrize(
    ("number", "masked"),
    [
        ("DF123456", "DF****56"),
        ("20230117", "******17"),
        ("HL-0042817", "HL******17"),
        ("0815", "***5"),
        ("12345", "****5"),
        ("123", "***"),
        ("DF12", "****"),
        ("A12345X", "A******"),
        ("", ""),
    ],
)
def test_employee_numbers_show_at_most_their_last_two_digits(number, masked):
    assert mask_employee_no(number) == masked


@given(st.text(alphabet="DFHL0123456789-/ ", max_size=16))
def test_no_employee_number_keeps_more_than_two_digits_or_its_length(number):
    masked = mask_employee_no(number)
    assert len(masked) == len(number.strip())
    assert sum(char.isdigit() for char in masked) <= 2
    assert re.fullmatch(r"[A-Za-z]{0,3}\**\d{0,2}", masked)


def test_phones_and_names_keep_their_masks():
    assert mask_digits("13812345678") == "138******78"
    assert mask_name("欧阳明") == "欧**"
