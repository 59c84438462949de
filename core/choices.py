"""A choice's label, as Model.get_FOO_display() gives it, for a field whose choices are one
enumeration (`choices=ActionType.choices`)."""

from __future__ import annotations

from django.db import models


def choice_label(choices: type[models.Choices], value):
    """get_FOO_display() without its cost: Django rebuilds a hashable copy of every choice
    for each call, hashing each lazy label (a translation lookup per choice); a console page
    of 50 employment actions named in their checkboxes' labels spent a fifth of its time there.
    The enumeration finds the member by value, and only its own label is translated. A value
    outside the choices is shown as it is, as Django does."""
    try:
        return str(choices(value).label)
    except ValueError:
        return value
