"""What the staff can import and export, by the key used in URLs and forms: its French label, its
django-import-export resource (shared with the admin) and the page where the imported rows are found."""

from dataclasses import dataclass

from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Importable:
    key: str
    label: str
    resource_path: str
    list_url_name: str

    @property
    def resource_class(self):
        # Imported late: the resources import the models of every app.
        return import_string(self.resource_path)


IMPORTABLES = {
    item.key: item
    for item in (
        Importable("structures", _("Structures"), "network.resources.StructureResource", "network:directory"),
        Importable(
            "territoires",
            _("Territoires"),
            "network.resources.TerritoryResource",
            "admin:network_territory_changelist",
        ),
        Importable(
            "partenaires",
            _("Partenaires"),
            "programmes.resources.PartnerResource",
            "admin:programmes_partner_changelist",
        ),
        Importable(
            "programmes", _("Programmes"), "programmes.resources.ProgrammeResource", "programmes:list"
        ),
        Importable("projets", _("Projets"), "projects.resources.ProjectResource", "projects:directory"),
        Importable(
            "missions", _("Missions"), "partnerships.resources.MissionResource", "partnerships:missions"
        ),
        Importable(
            "transferts",
            _("Transferts de savoir-faire"),
            "partnerships.resources.KnowHowTransferResource",
            "partnerships:transfers",
        ),
    )
}
