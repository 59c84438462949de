"""The portal's registration with the simulator, from the environment (idempotent)."""

from django.conf import settings
from django.utils.translation import gettext_noop

# Stored untranslated; the app page shows it in the person's language.
PORTAL_NAME = gettext_noop("Masar portal")


def register_portal_client(*, extra_redirect_uris: tuple[str, ...] = ()):
    """Create or update the portal's client. Runs after every migrate (and test flush); tests
    add their live server's callback with `extra_redirect_uris`."""
    from oauth2_provider.models import get_application_model

    application_model = get_application_model()
    redirect_uris = [*settings.NAFATH_SIM_REDIRECT_URIS, *extra_redirect_uris]
    logout_uris = [*settings.NAFATH_SIM_POST_LOGOUT_REDIRECT_URIS]
    logout_uris += [uri.split("/oidc/")[0] + "/" for uri in extra_redirect_uris]
    application, _created = application_model.objects.update_or_create(
        client_id=settings.NAFATH_SIM_CLIENT_ID,
        defaults={
            "name": PORTAL_NAME,
            "client_type": application_model.CLIENT_CONFIDENTIAL,
            "authorization_grant_type": application_model.GRANT_AUTHORIZATION_CODE,
            "algorithm": application_model.RS256_ALGORITHM,
            "client_secret": settings.NAFATH_SIM_CLIENT_SECRET,
            "redirect_uris": " ".join(dict.fromkeys(redirect_uris)),
            "post_logout_redirect_uris": " ".join(dict.fromkeys(logout_uris)),
            "skip_authorization": True,
        },
    )
    return application
