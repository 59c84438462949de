"""The messages job-data audit sends (core.notifications): value = the `sms/<kind>.txt`
template."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class JobAuditNotice(models.TextChoices):
    VARIABLES_DECIDED = "job_variables_decided", _("Job variables request decided")
