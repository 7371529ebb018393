from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class IdentityConfig(AppConfig):
    name = "cms.identity"
    label = "identity"
    verbose_name = "Identité de la Régie"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from wagtail.images import get_image_model

        from . import identity
        from .models import RegieIdentity

        # The identity is cached for every page: forget it when staff change it, or when
        # one of its pictures is replaced or deleted.
        for sender in (RegieIdentity, get_image_model()):
            post_save.connect(identity.forget, sender=sender, dispatch_uid=f"identity-{sender}")
            post_delete.connect(identity.forget, sender=sender, dispatch_uid=f"identity-d-{sender}")
