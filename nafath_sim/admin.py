from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .models import SignInRequest


@admin.register(SignInRequest)
class SignInRequestAdmin(admin.ModelAdmin):
    """Read-only: what the simulator was asked and answered, for debugging a sign-in."""

    list_display = (
        "reference_short",
        "national_id",
        "status",
        "client_id",
        "created_at",
    )
    list_filter = ("status",)
    search_fields = ("national_id",)
    exclude = ("code_hash", "access_token_hash", "session_key")

    @admin.display(description=_("reference"))
    def reference_short(self, obj):
        return obj.reference[:8]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


# --- The OAuth toolkit the simulator runs on ------------------------------------------------
# django-oauth-toolkit registers its models on the ministry admin in English ("Django OAuth
# Toolkit", "Pk", "Client type"). They are the simulator's plumbing: the admin lists them last
# (core.console_lists.app_rank) under Arabic names, with columns titled in words.

OAUTH_APP_NAME = _("Nafath simulator: OAuth records")
OAUTH_NAMES = {
    "application": (_("OAuth client"), _("OAuth clients")),
    "accesstoken": (_("access token"), _("access tokens")),
    "grant": (_("authorisation code"), _("authorisation codes")),
    "idtoken": (_("ID token"), _("ID tokens")),
    "refreshtoken": (_("refresh token"), _("refresh tokens")),
}
# Field titles the toolkit ships without Arabic, named here so this catalogue translates them.
OAUTH_FIELD_TITLES = (_("created"), _("expires"))


@admin.display(description=_("client type"))
def _client_type(obj):
    return {"confidential": _("Confidential"), "public": _("Public")}.get(
        obj.client_type, obj.client_type
    )


@admin.display(description=_("grant type"))
def _grant_type(obj):
    return obj.get_authorization_grant_type_display()


@admin.display(description=_("OAuth client"))
def _application(obj):
    return obj.application


OAUTH_COLUMNS = {
    "application": ("id", "name", _client_type, _grant_type, "created"),
    "accesstoken": ("id", "user", _application, "expires"),
    "grant": ("id", "user", _application, "expires"),
    "idtoken": ("id", "user", _application, "expires"),
    "refreshtoken": ("id", "user", _application, "created"),
}


def _in_words(model, admin_class):
    singular, plural = OAUTH_NAMES[model._meta.model_name]

    def changelist_view(self, request, extra_context=None):
        return admin_class.changelist_view(
            self, request, {"title": plural, **(extra_context or {})}
        )

    return type(
        admin_class.__name__,
        (admin_class,),
        {
            "list_display": OAUTH_COLUMNS[model._meta.model_name],
            "list_display_links": ("id",),
            "plural_name": plural,
            "changelist_view": changelist_view,
            # the account's national ID, exactly (core.console_lists.search_by_probes)
            "search_fields": ("=user__username",),
        },
    )


def translate_oauth_toolkit(site) -> None:
    for model, model_admin in list(site._registry.items()):
        if model._meta.app_label != "oauth2_provider" or model._meta.model_name not in OAUTH_NAMES:
            continue
        site.unregister(model)
        site.register(model, _in_words(model, type(model_admin)))
    if hasattr(site, "name_app"):
        site.name_app(
            "oauth2_provider",
            OAUTH_APP_NAME,
            {name: plural for name, (_singular, plural) in OAUTH_NAMES.items()},
        )


translate_oauth_toolkit(admin.site)
