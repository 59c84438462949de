from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CvConfig(AppConfig):
    name = "cv"
    verbose_name = _("CV")

    def ready(self):
        from core.audit import register_actions

        from .audit import CvAction
        from .documents import register_kinds

        register_kinds()
        register_actions(CvAction)

        from django.db.models.signals import post_delete, post_save

        from .models import CertificateCopy
        from .sections import SECTIONS
        from .selectors import entry_changed

        # The CV page caches a person's own entries: any change to one forgets the copy.
        for model in [*(section.model for section in SECTIONS), CertificateCopy]:
            for signal in (post_save, post_delete):
                signal.connect(entry_changed, sender=model, dispatch_uid=f"cv.own.{model.__name__}")
