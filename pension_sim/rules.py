"""The simulated authority's visible rules: a statement is rejected, with a code and a reason,
when one of these fails, in this order; otherwise it is acknowledged with a reference."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
from decimal import Decimal, InvalidOperation

from django.utils import timezone
from django.utils.translation import gettext as _


def luhn_valid(national_id: str) -> bool:
    """Ten digits, first 1 (citizen) or 2 (resident), Luhn over all ten (the registry's rule)."""
    if len(national_id) != 10 or not national_id.isdigit() or national_id[0] not in "12":
        return False
    total = 0
    for index, char in enumerate(national_id):
        digit = int(char)
        if index % 2 == 0:
            digit *= 2
            if digit > 9:
                digit -= 9
        total += digit
    return total % 10 == 0


def decode_pdf(value) -> bytes | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        data = base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None
    return data if data.startswith(b"%PDF-") else None


def _date(value) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def rejection(statement: dict, pdf: bytes | None) -> tuple[str, str] | None:
    """(code, reason) of the first rule the statement breaks, or None to acknowledge it."""
    if not luhn_valid(str(statement.get("national_id", ""))):
        return "national_id_invalid", _("The national ID is not valid.")
    try:
        salary = Decimal(str(statement.get("basic_salary")))
    except (InvalidOperation, ValueError):
        salary = None
    if salary is None or not salary.is_finite() or salary <= 0:
        return "salary_missing", _("The last basic salary is missing.")
    end = _date(statement.get("end_date"))
    if end is None:
        return "end_date_missing", _("The end-of-service date is missing.")
    if end > timezone.localdate():
        return "end_date_in_future", _("The end-of-service date is in the future.")
    if not statement.get("end_reason"):
        return "end_reason_missing", _("The end-of-service reason is missing.")
    if not isinstance(statement.get("periods"), list) or not statement["periods"]:
        return "periods_missing", _("The statement lists no service periods.")
    if pdf is None:
        return "pdf_missing", _("The signed PDF of the statement is missing.")
    return None
