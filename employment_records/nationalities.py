"""Nationalities by their ISO 3166 code (what `Employee.nationality` stores), in words.

The record keeps the code; people read the nationality: the consoles' filter and the profile
show these labels, never "EG" or "JO". A code missing here is shown as it is.
"""

from django.utils.translation import gettext_lazy as _

SAUDI = "SA"
NATIONALITIES = {
    "SA": _("Saudi"),
    "AE": _("Emirati"),
    "BD": _("Bangladeshi"),
    "BH": _("Bahraini"),
    "DZ": _("Algerian"),
    "EG": _("Egyptian"),
    "IN": _("Indian"),
    "IQ": _("Iraqi"),
    "JO": _("Jordanian"),
    "KW": _("Kuwaiti"),
    "LB": _("Lebanese"),
    "LY": _("Libyan"),
    "MA": _("Moroccan"),
    "MR": _("Mauritanian"),
    "OM": _("Omani"),
    "PH": _("Filipino"),
    "PK": _("Pakistani"),
    "PS": _("Palestinian"),
    "QA": _("Qatari"),
    "SD": _("Sudanese"),
    "SO": _("Somali"),
    "SY": _("Syrian"),
    "TN": _("Tunisian"),
    "YE": _("Yemeni"),
}


def nationality_label(code: str) -> str:
    label = NATIONALITIES.get((code or "").upper())
    return str(label) if label is not None else code
