"""Sentences that say how a result was counted, written once for the pages and the live
state (``includes/result.html`` says the same words, so one translation serves both)."""

from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def college_weights_text(colleges):
    """« Habitants : 2 voix, Associations : 1 voix », said beside weighted results."""
    return ", ".join(
        ngettext("%(name)s : %(weight)s voix", "%(name)s : %(weight)s voix", c.weight)
        % {"name": c.name, "weight": c.weight}
        for c in colleges
    )


def weighted_result_text(colleges):
    """The sentence under a weighted result, naming each college's weight when known."""
    weights = college_weights_text(colleges)
    if weights:
        return _(
            "Résultat pondéré : chaque collège compte pour son poids (%(weights)s), "
            "partagé entre ses votants selon leurs choix."
        ) % {"weights": weights}
    return _(
        "Résultat pondéré : chaque collège compte pour son poids, partagé entre ses "
        "votants selon leurs choix."
    )
