"""The blocks staff compose pages with. Each block owns its template."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.blocks.stream_block import StreamBlockValidationError
from wagtail.blocks.struct_block import StructBlockValidationError
from wagtail.embeds.blocks import EmbedBlock
from wagtail.images.blocks import ImageChooserBlock


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("titre"), max_length=120)
    level = blocks.ChoiceBlock(
        label=_("niveau"),
        choices=[("h2", _("Titre de section")), ("h3", _("Sous-titre"))],
        default="h2",
    )

    class Meta:
        icon = "title"
        label = _("Titre")
        template = "cms/blocks/heading.html"


class AccessibleImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("image"))
    alt_text = blocks.CharBlock(
        label=_("texte alternatif"),
        max_length=250,
        help_text=_(
            "Décrivez l'image pour les personnes qui ne la voient pas "
            "(obligatoire, 250 caractères au plus)."
        ),
    )
    caption = blocks.CharBlock(label=_("légende"), required=False, max_length=250)

    class Meta:
        icon = "image"
        label = _("Image")
        template = "cms/blocks/image.html"


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("citation"))
    attribution = blocks.CharBlock(label=_("auteur ou autrice"), required=False, max_length=120)

    class Meta:
        icon = "openquote"
        label = _("Citation")
        template = "cms/blocks/quote.html"


class LinkEmbedBlock(blocks.StructBlock):
    """An embedded link (video, map, document): shown by its provider when it can be, and
    always as a plain link so that it works without JavaScript and without the provider."""

    url = EmbedBlock(label=_("adresse du contenu"))
    title = blocks.CharBlock(label=_("intitulé du lien"), max_length=150)

    class Meta:
        icon = "media"
        label = _("Contenu intégré")
        template = "cms/blocks/embed.html"


class BaseStreamBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        label=_("Paragraphe"),
        features=["bold", "italic", "link", "ol", "ul", "document-link"],
        template="cms/blocks/paragraph.html",
        icon="pilcrow",
    )
    image = AccessibleImageBlock()
    quote = QuoteBlock()
    embed = LinkEmbedBlock()


def validate_image_alt_texts(stream_value):
    """Refuse image blocks without alternative text, wherever the page comes from.

    The admin form already requires ``alt_text``; this model-level check also covers pages
    built in code (imports, demo data, scripts), where no form validates the blocks.
    """
    errors = {}
    for index, child in enumerate(stream_value or []):
        if not isinstance(child.block, AccessibleImageBlock):
            continue
        alt_text = child.value.get("alt_text") or ""
        if child.value.get("image") is not None and not alt_text.strip():
            errors[index] = StructBlockValidationError(
                block_errors={
                    "alt_text": ValidationError(
                        _("Décrivez l'image : le texte alternatif est obligatoire."),
                        code="alt_text_missing",
                    )
                }
            )
    if errors:
        raise StreamBlockValidationError(block_errors=errors)
