"""A "Registre des traitements" item in the Wagtail admin's Settings menu."""

from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import MenuItem

from civic.privacy import rules


class RegisterMenuItem(MenuItem):
    def is_shown(self, request):
        return rules.can_view_register(request.user)


@hooks.register("register_settings_menu_item")
def register_of_processing_menu_item():
    return RegisterMenuItem(
        _("Registre des traitements (RGPD)"),
        reverse_lazy("privacy:register"),
        icon_name="list-ul",
        order=900,
    )
