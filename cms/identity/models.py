"""The Régie's identity, per Wagtail Site: each site can later be one Régie."""

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel, MultiFieldPanel
from wagtail.contrib.settings.models import BaseSiteSetting, register_setting

from . import contrast

DEFAULT_NAME = "Quartier Commun"
DEFAULT_ACCENT = "#0b5c4a"
# Where the accent colour is read: white text on buttons and the header, links on the page
# (white) and on cards (static/css/site.css, --paper and --soft).
BACKGROUNDS = (("#ffffff", _("le texte blanc des boutons")), ("#f4f1ea", _("le fond des cartes")))


def validate_accent(value):
    try:
        colour = contrast.normalise(value)
    except ValueError:
        raise ValidationError(
            _("Écrivez la couleur en hexadécimal, par exemple « #0b5c4a »."), code="format"
        ) from None
    failing = [
        (label, contrast.contrast_ratio(colour, background))
        for background, label in BACKGROUNDS
        if not contrast.passes_aa(colour, background)
    ]
    if failing:
        suggestion = colour
        for background, _label in BACKGROUNDS:
            suggestion = contrast.darker_shade_passing(suggestion, background)
        label, ratio = failing[0]
        raise ValidationError(
            _(
                "Cette couleur est trop claire : avec %(against)s, le contraste est de "
                "%(ratio)s pour 1, il faut au moins 4,5 pour 1 pour que tout le monde puisse "
                "lire. Essayez « %(suggestion)s », la même teinte en plus foncé."
            ),
            code="contrast",
            params={
                "against": label,
                "ratio": f"{ratio:.1f}".replace(".", ","),
                "suggestion": suggestion,
            },
        )


class AccentField(models.CharField):
    """Stored as '#rrggbb', whatever the case or short form staff typed."""

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        try:
            return contrast.normalise(value) if value else value
        except ValueError:
            return value


@register_setting(icon="image")
class RegieIdentity(BaseSiteSetting):
    name = models.CharField(
        _("nom de la Régie"),
        max_length=80,
        default=DEFAULT_NAME,
        help_text=_("Affiché en haut de chaque page, dans le titre des onglets et les partages."),
    )
    logo = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("logo"),
        help_text=_(
            "Affiché en haut de chaque page, sur la couleur d'accent : préférez un logo clair "
            "sur fond transparent. Sans logo, le nom est écrit en toutes lettres."
        ),
    )
    favicon = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("icône de l'onglet"),
        help_text=_("Une image carrée, au moins 180 × 180 pixels. Sans elle, l'icône livrée."),
    )
    share_image = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("image de partage"),
        help_text=_(
            "Montrée quand quelqu'un partage une page qui n'a pas d'image à elle. "
            "Sans elle, le logo."
        ),
    )
    accent = AccentField(
        _("couleur d'accent"),
        max_length=7,
        default=DEFAULT_ACCENT,
        validators=[validate_accent],
        help_text=_(
            "En hexadécimal, par exemple « #0b5c4a ». Elle colore l'en-tête, les boutons et "
            "les liens : elle doit être assez foncée pour que le texte reste lisible."
        ),
    )

    panels = [
        FieldPanel("name"),
        MultiFieldPanel(
            [FieldPanel("logo"), FieldPanel("favicon"), FieldPanel("share_image")],
            heading=_("Images"),
        ),
        FieldPanel("accent"),
    ]

    class Meta:
        verbose_name = _("identité de la Régie")
        verbose_name_plural = _("identités de la Régie")

    def __str__(self):
        return self.name
