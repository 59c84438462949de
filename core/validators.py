"""National ID and Saudi mobile number rules (DOMAIN.md), shared by models and forms."""

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Eastern Arabic (٠-٩) and Persian (۰-۹) digits are what many phones type in Arabic.
_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def normalise_digits(value: str) -> str:
    """Western digits, no surrounding or inner spaces."""
    return "".join(str(value).translate(_DIGITS).split())


def luhn_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(digits):
        digit = int(char)
        if index % 2 == 0:  # positions 1, 3, 5, 7, 9 counted from one
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def normalise_national_id(value: str) -> str:
    """The ten-digit national ID, or ValidationError saying which rule it breaks."""
    digits = normalise_digits(value)
    if len(digits) != 10 or not digits.isdigit():
        raise ValidationError(_("A national ID is exactly 10 digits."), code="length")
    if digits[0] not in "12":
        raise ValidationError(
            _("A national ID starts with 1 (citizen) or 2 (resident)."), code="first_digit"
        )
    if not luhn_valid(digits):
        raise ValidationError(
            _("This national ID is not valid. Check the digits and try again."), code="checksum"
        )
    return digits


def validate_national_id(value: str) -> None:
    if normalise_digits(value) != value:
        raise ValidationError(_("Use Western digits with no spaces."), code="not_normalised")
    normalise_national_id(value)


def normalise_saudi_mobile(value: str) -> str:
    """E.164 (+9665XXXXXXXX) from 05XXXXXXXX, 9665..., +9665..., 009665..., any digits."""
    raw = normalise_digits(value).replace("-", "")
    if raw.startswith("00"):
        raw = "+" + raw[2:]
    elif raw.startswith("966"):
        raw = "+" + raw
    try:
        number = phonenumbers.parse(raw, "SA")
    except phonenumbers.NumberParseException:
        number = None
    if (
        number is None
        or number.country_code != 966
        or not phonenumbers.is_valid_number(number)
        or phonenumbers.number_type(number) != phonenumbers.PhoneNumberType.MOBILE
    ):
        raise ValidationError(
            _("Enter a Saudi mobile number, for example 05XXXXXXXX."), code="mobile"
        )
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def validate_saudi_mobile(value: str) -> None:
    if normalise_saudi_mobile(value) != value:
        raise ValidationError(_("Store mobile numbers in E.164 form."), code="not_e164")


def mask_mobile(e164: str) -> str:
    """+966 5• ••• ••34: enough for the person to recognise their number, no more."""
    if not e164:
        return ""
    local = e164.removeprefix("+966")
    return f"+966 {local[0]}• ••• ••{local[-2:]}"


def mask_national_id(national_id: str) -> str:
    return "••••••" + national_id[-4:]
