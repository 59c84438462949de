"""Test helpers: grievances are filed through the service, as employees file them."""

from __future__ import annotations

import datetime as dt
import io
import uuid

from django.utils import timezone

from accounts.tests.factories import UserFactory, grant_all, make_hr_specialist
from grievances import services
from grievances.models import Category


def grievance_user(**kwargs):
    """A Nafath-verified employee account with every service granted."""
    kwargs.setdefault("nafath_verified_at", timezone.now())
    user = UserFactory(with_employee=True, **kwargs)
    grant_all(user.employee)
    return user


def hr_for(entity, *, lead=False, **kwargs):
    user = make_hr_specialist(entity, **kwargs)
    if lead:
        user.hr_profile.is_lead = True
        user.hr_profile.save()
    return user


def grievance_input(**overrides) -> services.GrievanceInput:
    today = timezone.localdate()
    values = {
        "category": Category.PROMOTION,
        "decision_number": "1448/00123",
        "decision_date": today - dt.timedelta(days=10),
        "learned_on": today - dt.timedelta(days=5),
        "text": "لم أُدرج في قائمة المرشحين للترقية رغم استيفائي جميع الشروط النظامية.",
        "remedy": "إدراجي في قائمة المرشحين وإعادة احتساب النقاط.",
    }
    values.update(overrides)
    return services.GrievanceInput(**values)


def file_grievance(user, *, attachments=(), **overrides):
    grievance, _created = services.submit_grievance(
        employee=user.employee,
        data=grievance_input(**overrides),
        attachments=list(attachments),
        submission_token=uuid.uuid4(),
    )
    return grievance


def pdf_bytes() -> bytes:
    """A real one-page PDF (pypdf must be able to open it)."""
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    buffer = io.BytesIO()
    writer.write(buffer)
    return buffer.getvalue()
