from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssembliesConfig(AppConfig):
    name = "civic.assemblies"
    label = "assemblies"
    verbose_name = _("Assemblées de quartier")
