from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .hr_admin import EntityScopedAdmin, ReadOnlyAdminMixin, hr_site
from .models import AuditEvent, Document, Notification
from .validators import mask_mobile


class ActionFilter(admin.SimpleListFilter):
    """Every registered action, in words, in the reader's language. The registry, not the
    table: listing the actions present would scan the whole log (SELECT DISTINCT)."""

    title = _("action")
    parameter_name = "action"

    def lookups(self, request, model_admin):
        from .audit import action_label, registered_actions

        return sorted(
            ((value, action_label(value)) for value in registered_actions()), key=lambda c: c[1]
        )

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(action=self.value())
        return queryset


class AuditEventAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "at",
        "action_words",
        "actor",
        "subject_words",
        "subject_id",
        "entity",
        "ip_address",
    )
    list_filter = (ActionFilter,)
    search_fields = ("=actor__username",)
    search_help_text = _("The national ID of who acted (exact); the actions are in the filter.")
    date_hierarchy = "at"
    # The actor is shown by name, which comes from their employee record: joined, not a query
    # a row.
    list_select_related = ("actor__employee", "entity")

    @admin.display(description=_("action"), ordering="action")
    def action_words(self, obj):
        from .audit import action_label

        return action_label(obj.action)

    @admin.display(description=_("subject type"), ordering="subject_type")
    def subject_words(self, obj):
        """ "grievance", not "grievances.grievance"."""
        from .audit import subject_label

        return subject_label(obj.subject_type)


class HRAuditEventAdmin(ReadOnlyAdminMixin, EntityScopedAdmin):
    list_display = AuditEventAdmin.list_display
    action_words = AuditEventAdmin.action_words
    subject_words = AuditEventAdmin.subject_words
    list_filter = AuditEventAdmin.list_filter
    search_fields = AuditEventAdmin.search_fields
    search_help_text = AuditEventAdmin.search_help_text
    list_select_related = AuditEventAdmin.list_select_related


admin.site.register(AuditEvent, AuditEventAdmin)
hr_site.register(AuditEvent, HRAuditEventAdmin)


# --- Generated documents: listed for the entity's HR and the ministry; revoked, never edited.


class DocumentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = (
        "code_shown",
        "kind_shown",
        "holder",
        "entity",
        "status",
        "issued_at",
        "revoked_at",
    )
    list_filter = ("kind", "status")
    search_fields = ("=code", "=holder__national_id")
    search_help_text = _("A verification code or the holder's national ID (exact).")
    list_select_related = ("holder", "entity")
    actions = ["revoke_documents"]

    @admin.display(description=_("verification code"), ordering="code")
    def code_shown(self, obj):
        return obj.display_code

    @admin.display(description=_("document type"), ordering="kind")
    def kind_shown(self, obj):
        from .documents import kind_label

        return kind_label(obj.kind)

    @admin.action(description=_("Revoke the selected documents"))
    def revoke_documents(self, request, queryset):
        from .documents import revoke

        revoked = 0
        for document in queryset.filter(revoked_at__isnull=True):
            revoke(document=document, actor=request.user)
            revoked += 1
        self.message_user(request, _("Documents revoked: %(count)s.") % {"count": revoked})

    def has_change_permission(self, request, obj=None):
        # Needed for the action only; the form itself stays read-only (no editable fields).
        return obj is None and super(ReadOnlyAdminMixin, self).has_change_permission(request)


class HRDocumentAdmin(DocumentAdmin, EntityScopedAdmin):
    hr_permissions = ("view", "change")


admin.site.register(Document, DocumentAdmin)
hr_site.register(Document, HRDocumentAdmin)


# --- The notification outbox: the ministry sees what was sent, what failed and why; never a
# code's text (encrypted, and wiped once sent).


class NotificationKindFilter(admin.SimpleListFilter):
    """The registered kinds in words, in the reader's language (not the template names)."""

    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request, model_admin):
        from .notifications import registered_kinds

        return sorted(((kind, str(label)) for kind, label in registered_kinds().items()),
                      key=lambda pair: pair[1])  # fmt: skip

    def queryset(self, request, queryset):
        return queryset.filter(kind=self.value()) if self.value() else queryset


class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ("created_at", "kind_shown", "recipient", "masked_mobile", "status",
                    "attempts", "reason", "sent_at")  # fmt: skip
    list_filter = ("status", NotificationKindFilter, "sms", "inbox")
    search_fields = ("=recipient__username", "=idempotency_key")
    search_help_text = _(
        "The recipient's national ID or the notice's key (exact); the kinds are in the filter."
    )
    date_hierarchy = "created_at"
    list_select_related = ("recipient",)
    fields = ("recipient", "masked_mobile", "kind_shown", "language", "body", "link", "sms",
              "inbox", "status", "reason", "attempts", "next_attempt_at", "expires_at",
              "sent_at", "provider_message_id", "idempotency_key", "read_at",
              "created_at")  # fmt: skip
    readonly_fields = fields

    @admin.display(description=_("kind"), ordering="kind")
    def kind_shown(self, obj):
        from .notifications import kind_label

        return kind_label(obj.kind)

    @admin.display(description=_("mobile"))
    def masked_mobile(self, obj):
        return mask_mobile(obj.mobile) if obj.mobile else ""


admin.site.register(Notification, NotificationAdmin)
