"""The audit actions of promotions, registered with core.audit in PromotionsConfig.ready().
The round's workflow steps write "promotion_round.<step>" (core.workflow); a test checks each
is here."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class PromotionAction(models.TextChoices):
    ANNOUNCE = "promotion_round.announce", _("Promotion round announced")
    OPEN = "promotion_round.open", _("Promotion round opened for preferences")
    CLOSE = "promotion_round.close", _("Promotion round closed")
    SCORE = "promotion_round.score", _("Promotion round scored")
    REVIEW = "promotion_round.review", _("Promotion round reviewed for publication")
    PUBLISH = "promotion_round.publish", _("Promotion round published")
    CANCEL = "promotion_round.cancel", _("Promotion round cancelled")
    OFFER = "promotion_round.offer", _("Positions offered in a promotion round")
    WITHDRAW_OFFER = (
        "promotion_round.withdraw_offer",
        _("Position withdrawn from a promotion round"),
    )
    OTHER_POINTS = "promotion_round.other_points", _("Other points given in a promotion round")
    SCORING_REQUESTED = "promotion_round.scoring_requested", _("Promotion round scoring requested")
    PREFERENCES_SAVED = "promotion.preferences_saved", _("Promotion preferences saved")
