"""The form Wagtail uses for every image that staff upload (news, pages, agenda events):
``WAGTAILIMAGES_IMAGE_FORM_BASE`` points here."""

from django.core.exceptions import ValidationError
from wagtail.images.fields import WagtailImageField
from wagtail.images.forms import BaseImageForm


class ReadableImageField(WagtailImageField):
    """Wagtail's image field, which lets Pillow's errors through while it measures the
    image: a truncated JPEG raised OSError ("image file is truncated") and gave a 500.
    Any image that Pillow cannot read is now the field's usual "not a valid image"."""

    def check_image_pixel_size(self, f):
        try:
            super().check_image_pixel_size(f)
        except (OSError, ValueError, SyntaxError, EOFError) as error:
            raise ValidationError(
                self.error_messages["invalid_image"], code="invalid_image"
            ) from error


class ImageForm(BaseImageForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields.get("file")
        if type(field) is WagtailImageField:
            # Built by Wagtail's formfield callback: only its behaviour changes.
            field.__class__ = ReadableImageField
