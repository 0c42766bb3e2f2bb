from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class FabriqueConfig(AppConfig):
    name = "fabrique"
    verbose_name = _("Comptes et plateforme")
