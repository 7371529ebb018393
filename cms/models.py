"""Wagtail pages: home, news, plain pages."""

from django.core.exceptions import ValidationError
from django.core.validators import slug_re
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from modelcluster.fields import ParentalKey
from wagtail.admin.panels import FieldPanel, InlinePanel, PageChooserPanel
from wagtail.api import APIField
from wagtail.fields import StreamField
from wagtail.models import Orderable, Page
from wagtail.search import index

from civic.web import paginate
from cms.blocks import BaseStreamBlock, validate_image_alt_texts

HOME_PINS_MAX = 6


class AccessibleBodyMixin:
    """For pages with a ``body`` StreamField: every image in it needs alternative text."""

    def accessibility_errors(self):
        """Field name → ValidationError, for every missing alternative text."""
        try:
            validate_image_alt_texts(self.body)
        except ValidationError as error:
            return {"body": error}
        return {}

    def clean(self):
        super().clean()
        errors = self.accessibility_errors()
        if errors:
            raise ValidationError(errors)


class HomePage(AccessibleBodyMixin, Page):
    """The neighbourhood's hub. Staff write the introduction and pin a few items; the rest
    (next assembly, shifts, ideas, events, news) is read by ``cms.home``."""

    intro = models.TextField(_("introduction"), blank=True, max_length=500)
    body = StreamField(BaseStreamBlock(), verbose_name=_("contenu"), blank=True)

    content_panels = [
        *Page.content_panels,
        FieldPanel("intro"),
        InlinePanel(
            "pins",
            label=_("À la une"),
            heading=_("À la une (épinglé en haut de l'accueil)"),
            max_num=HOME_PINS_MAX,
        ),
        FieldPanel("body"),
    ]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]

    parent_page_types = ["wagtailcore.Page"]
    max_count = 1

    class Meta:
        verbose_name = _("page d'accueil")

    def get_context(self, request, *args, **kwargs):
        from cms import home

        context = super().get_context(request, *args, **kwargs)
        context["hub"] = home.hub_for(request, self)
        return context

    def serve(self, request, *args, **kwargs):
        from cms import home

        response = super().serve(request, *args, **kwargs)
        home.remember_choice(request, response)
        return response


class HomePin(Orderable):
    """One item pinned to the top of the home page: a page of the site (news, event,
    plain page), an idea or a volunteer action. Shown only while it is public."""

    home = ParentalKey(HomePage, on_delete=models.CASCADE, related_name="pins")
    pinned_page = models.ForeignKey(
        "wagtailcore.Page",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("page"),
    )
    proposal = models.ForeignKey(
        "proposals.Proposal",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("idée"),
    )
    action = models.ForeignKey(
        "volunteering.Action",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("action bénévole"),
    )
    note = models.CharField(
        _("phrase d'accroche (facultatif)"),
        max_length=160,
        blank=True,
        help_text=_("Une phrase courte qui dit pourquoi c'est important en ce moment."),
    )

    panels = [
        PageChooserPanel("pinned_page"),
        FieldPanel("proposal"),
        FieldPanel("action"),
        FieldPanel("note"),
    ]

    class Meta(Orderable.Meta):
        verbose_name = _("élément à la une")
        verbose_name_plural = _("éléments à la une")
        constraints = [
            models.CheckConstraint(
                condition=(
                    models.Q(pinned_page__isnull=False, proposal__isnull=True, action__isnull=True)
                    | models.Q(
                        pinned_page__isnull=True, proposal__isnull=False, action__isnull=True
                    )
                    | models.Q(
                        pinned_page__isnull=True, proposal__isnull=True, action__isnull=False
                    )
                ),
                name="home_pin_is_one_thing",
            )
        ]

    def __str__(self):
        return str(self.pinned_page or self.proposal or self.action or "")

    def clean(self):
        super().clean()
        chosen = [self.pinned_page_id, self.proposal_id, self.action_id]
        if sum(1 for value in chosen if value) != 1:
            raise ValidationError(
                _("Choisissez une seule chose à épingler : une page, une idée ou une action.")
            )


class NewsIndexPage(Page):
    intro = models.TextField(_("introduction"), blank=True, max_length=500)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    parent_page_types = ["cms.HomePage"]
    subpage_types = ["cms.NewsPage"]
    max_count_per_parent = 1

    class Meta:
        verbose_name = _("index des actualités")

    PAGE_SIZE = 10

    def get_context(self, request, *args, **kwargs):
        context = super().get_context(request, *args, **kwargs)
        articles = (
            NewsPage.objects.live()
            .public()
            .descendant_of(self)
            .select_related("neighbourhood", "image")
            .order_by("-date", "-pk")
        )
        neighbourhood = request.GET.get("quartier", "")
        if neighbourhood:
            # A value that is no slug matches no neighbourhood: not sent to the database,
            # which refuses NUL bytes outright on PostgreSQL (a 500).
            in_hood = (
                models.Q(neighbourhood__slug=neighbourhood)
                if slug_re.fullmatch(neighbourhood)
                else models.Q(pk__in=[])
            )
            articles = articles.filter(in_hood | models.Q(neighbourhood__isnull=True))
        page_obj = paginate(request, articles, self.PAGE_SIZE)
        context["page_obj"] = page_obj
        context["articles"] = page_obj.object_list
        context["selected_neighbourhood"] = neighbourhood
        return context


class NewsPage(AccessibleBodyMixin, Page):
    date = models.DateField(_("date de publication"), default=timezone.localdate)
    lead = models.TextField(
        _("chapeau"),
        max_length=400,
        help_text=_("Une ou deux phrases simples qui résument l'article."),
    )
    neighbourhood = models.ForeignKey(
        "territory.Neighbourhood",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("quartier"),
        help_text=_("Laissez vide si l'article concerne tous les quartiers."),
    )
    image = models.ForeignKey(
        "wagtailimages.Image",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("image principale"),
    )
    image_alt = models.CharField(
        _("texte alternatif de l'image"),
        max_length=250,
        blank=True,
        help_text=_("Obligatoire si une image principale est choisie."),
    )
    body = StreamField(BaseStreamBlock(), verbose_name=_("contenu"))

    content_panels = [
        *Page.content_panels,
        FieldPanel("date"),
        FieldPanel("lead"),
        FieldPanel("neighbourhood"),
        FieldPanel("image"),
        FieldPanel("image_alt"),
        FieldPanel("body"),
    ]
    search_fields = [
        *Page.search_fields,
        index.SearchField("lead"),
        index.SearchField("body"),
        index.FilterField("date"),
    ]
    api_fields = [APIField("date"), APIField("lead"), APIField("body")]

    parent_page_types = ["cms.NewsIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("actualité")
        verbose_name_plural = _("actualités")

    def accessibility_errors(self):
        errors = super().accessibility_errors()
        if self.image_id and not (self.image_alt or "").strip():
            errors["image_alt"] = ValidationError(
                _("Décrivez l'image : le texte alternatif est obligatoire."),
                code="alt_text_missing",
            )
        return errors


class StandardPage(AccessibleBodyMixin, Page):
    intro = models.TextField(_("introduction"), blank=True, max_length=500)
    body = StreamField(BaseStreamBlock(), verbose_name=_("contenu"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("body")]
    search_fields = [*Page.search_fields, index.SearchField("intro"), index.SearchField("body")]
    parent_page_types = ["cms.HomePage", "cms.StandardPage"]

    class Meta:
        verbose_name = _("page simple")
        verbose_name_plural = _("pages simples")
