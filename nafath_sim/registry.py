"""Who may sign in: the simulator stands in for the national register, and the portal's
Employee records stand in for it. Read through the app registry, never the portal's code."""

from django.apps import apps

EASTERN_ARABIC_DIGITS = str.maketrans("٠١٢٣٤٥٦٧٨٩۰۱۲۳۴۵۶۷۸۹", "01234567890123456789")


def normalise(value: str) -> str:
    return "".join(value.split()).translate(EASTERN_ARABIC_DIGITS)


def person(national_id: str):
    """The register's entry for this national ID, or None."""
    employee_model = apps.get_model("employment_records", "Employee")
    return (
        employee_model.objects.filter(national_id=national_id)
        .only(
            "national_id",
            "first_name_ar",
            "family_name_ar",
            "first_name_en",
            "family_name_en",
        )
        .first()
    )
