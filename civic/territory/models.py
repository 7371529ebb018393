"""The territory: the Régie (the organisation) and its neighbourhoods (quartiers)."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from civic import places


class Regie(models.Model):
    """A Régie de quartier: the association that runs the platform for its neighbourhoods."""

    name = models.CharField(_("nom"), max_length=200)
    address = models.CharField(_("adresse"), max_length=300, blank=True)
    postal_code = models.CharField(_("code postal"), max_length=10, blank=True)
    city = models.CharField(_("ville"), max_length=120, blank=True)
    email = models.EmailField(_("courriel de contact"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    website = models.URLField(_("site web"), blank=True)
    support_threshold = models.PositiveIntegerField(
        _("seuil de soutiens"),
        default=30,
        help_text=_(
            "Nombre de soutiens à partir duquel une idée passe automatiquement « à l'étude »."
        ),
    )

    class Meta:
        verbose_name = _("Régie de quartier")
        verbose_name_plural = _("Régies de quartier")
        ordering = ["name"]

    def __str__(self):
        return self.name


class NeighbourhoodQuerySet(models.QuerySet):
    def active(self):
        return self.filter(is_active=True)


class Neighbourhood(models.Model):
    """A quartier looked after by a Régie; every resident belongs to one."""

    regie = models.ForeignKey(
        Regie, on_delete=models.PROTECT, related_name="neighbourhoods", verbose_name=_("Régie")
    )
    name = models.CharField(_("nom"), max_length=120)
    slug = models.SlugField(_("identifiant d'adresse"), max_length=120, unique=True)
    description = models.TextField(_("présentation"), blank=True)
    is_active = models.BooleanField(
        _("actif"),
        default=True,
        help_text=_("Un quartier inactif n'est plus proposé aux habitants."),
    )
    outline = models.JSONField(
        _("contour sur la carte"),
        null=True,
        blank=True,
        validators=[places.validate_outline],
        help_text=_(
            "Facultatif. Collez un contour GeoJSON (Polygon ou MultiPolygon, coordonnées en "
            "[longitude, latitude]), par exemple exporté depuis geojson.io ou uMap."
        ),
    )

    objects = NeighbourhoodQuerySet.as_manager()

    class Meta:
        verbose_name = _("quartier")
        verbose_name_plural = _("quartiers")
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["regie", "name"], name="unique_neighbourhood_name_per_regie"
            )
        ]

    def __str__(self):
        return self.name
