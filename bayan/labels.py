"""Words for the kinds of period a statement lists."""

from django.utils.translation import gettext_lazy as _

from employment_records.models import ActionType

from .periods import Exclusion

EXCLUSION_LABELS = {
    Exclusion.EXCEPTIONAL_LEAVE: _("Exceptional leave (does not count)"),
    Exclusion.ABSENCE: _("Unexcused absence (does not count)"),
    Exclusion.SUSPENSION: _("Suspension ended in a penalty (does not count)"),
    Exclusion.OUT_OF_SERVICE: _("Out of service (does not count)"),
}
EXCLUSION_CHOICES = list(EXCLUSION_LABELS.items())


def kind_label(kind: str) -> str:
    if kind in EXCLUSION_LABELS:
        return str(EXCLUSION_LABELS[kind])
    try:
        return str(ActionType(kind).label)
    except ValueError:
        return kind
