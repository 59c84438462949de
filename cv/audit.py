"""The audit actions of the CV, registered with core.audit in CvConfig.ready()."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CvAction(models.TextChoices):
    ENTRY_ADDED = "cv.entry_added", _("CV entry added")
    ENTRY_CHANGED = "cv.entry_changed", _("CV entry changed")
    ENTRY_MOVED = "cv.entry_moved", _("CV entry moved")
    ENTRY_REMOVED = "cv.entry_removed", _("CV entry removed")
