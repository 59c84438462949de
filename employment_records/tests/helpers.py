"""Shared test helpers: uploads, people and requests for the correction workflow."""

import datetime as dt
import io

from django.core.files.uploadedfile import SimpleUploadedFile

from core.uploads import check_upload


def pdf_bytes() -> bytes:
    from pypdf import PdfWriter

    writer, buffer = PdfWriter(), io.BytesIO()
    writer.add_blank_page(width=200, height=200)
    writer.write(buffer)
    return buffer.getvalue()


def pdf_upload(name: str = "birth-certificate.pdf") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")


def checked_pdf(name: str = "birth-certificate.pdf"):
    return check_upload(pdf_upload(name))


def submit_dob_correction(employee, user, *, new=dt.date(1990, 3, 5), evidence=True):
    from employment_records import services

    return services.submit_correction(
        employee=employee,
        data=services.CorrectionInput(
            field_name="date_of_birth",
            proposed_value=new,
            reason="The civil registry has the 5th.",
            evidence=[checked_pdf()] if evidence else [],
        ),
        actor=user,
    )


def correct_in_steps(client, url, change, *, evidence=(), submit=True, **extra):
    """A correction as the pages ask: the correction, the evidence, the review page, Submit.
    Returns the last response (the review page when submit=False)."""
    response = client.post(url, change, **extra)
    assert response.status_code == 302, response.context["form"].errors
    response = client.post(response["Location"], {"evidence": list(evidence)}, **extra)
    assert response.status_code == 302, response.context["form"].errors
    review = response["Location"]
    assert review.endswith("/review/")
    return client.post(review, **extra) if submit else client.get(review, **extra)
