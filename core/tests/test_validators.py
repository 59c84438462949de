import pytest
from django.core.exceptions import ValidationError

from core.validators import (
    mask_mobile,
    normalise_national_id,
    normalise_saudi_mobile,
    validate_national_id,
)


@pytest.mark.parametrize("value", ["1000000008", "1012345672", "2100000005"])
def test_valid_national_ids_pass(value):
    assert normalise_national_id(value) == value


def test_eastern_arabic_digits_are_normalised():
    assert normalise_national_id("١٠١٢٣٤٥٦٧٢") == "1012345672"
    assert normalise_national_id(" 1012 345 672 ") == "1012345672"


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ("1000000009", "checksum"),
        ("3000000004", "first_digit"),
        ("0000000000", "first_digit"),
        ("100000000", "length"),
        ("10000000081", "length"),
        ("10000abc08", "length"),
        ("", "length"),
    ],
)
def test_invalid_national_ids_name_the_rule(value, code):
    with pytest.raises(ValidationError) as error:
        normalise_national_id(value)
    assert error.value.code == code


def test_model_validator_rejects_unnormalised_digits():
    with pytest.raises(ValidationError):
        validate_national_id("١٠١٢٣٤٥٦٧٢")


@pytest.mark.parametrize(
    "value",
    [
        "0512345634",
        "512345634",
        "966512345634",
        "+966512345634",
        "00966512345634",
        "٠٥١٢٣٤٥٦٣٤",
        "051 234 5634",
    ],
)
def test_saudi_mobile_forms_normalise_to_e164(value):
    assert normalise_saudi_mobile(value) == "+966512345634"


@pytest.mark.parametrize("value", ["0112345678", "+201001234567", "05123", "hello"])
def test_non_saudi_or_landline_numbers_are_refused(value):
    with pytest.raises(ValidationError):
        normalise_saudi_mobile(value)


def test_mobile_mask_shows_only_the_last_two_digits():
    assert mask_mobile("+966512345634") == "+966 5• ••• ••34"
