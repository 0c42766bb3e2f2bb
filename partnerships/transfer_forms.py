"""The know-how transfer form, to propose (coordinators, staff) and edit (staff) a transfer. It validates
only — with the services' own rules (`transfer_rule_errors`) — and `service_arguments()` hands the
cleaned values to partnerships.transfer_services."""

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from fabrique.models import User
from network.models import Structure
from partnerships.models import KnowHowTransfer, Organisation
from partnerships.transfer_services import NewOrganisation, linkable_projects, transfer_rule_errors
from programmes.models import Programme
from projects.forms import DateInput
from projects.models import Project


class TransferForm(forms.Form):
    """A transfer's fields. `with_results` adds the testimonial and outcome, written once it took place
    (staff's edit form); a proposal does not ask for them."""

    title = forms.CharField(label=_("Intitulé"), max_length=200)
    provider = forms.ModelChoiceField(
        label=_("Organisation déjà connue"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("Choisissez une organisation connue…"),
        help_text=_("Si elle n'est pas dans la liste, laissez ce choix vide et nommez-la ci-dessous."),
    )
    new_provider_name = forms.CharField(
        label=_("Nom de la nouvelle structure"), max_length=200, required=False
    )
    new_provider_kind = forms.ChoiceField(
        label=_("Type de la nouvelle structure"),
        choices=Organisation.Kind.choices,
        initial=Organisation.Kind.ESS_ENTERPRISE,
        required=False,
    )
    new_provider_city = forms.CharField(
        label=_("Ville de la nouvelle structure"), max_length=100, required=False
    )
    format = forms.ChoiceField(
        label=_("Format"),
        choices=KnowHowTransfer.Format.choices,
        widget=forms.RadioSelect,
        help_text=_("Individuel : un seul bénéficiaire. Collectif (visite apprenante) : au moins deux."),
    )
    structures = forms.ModelMultipleChoiceField(
        label=_("Bénéficiaires membres du réseau"),
        queryset=Structure.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    organisations = forms.ModelMultipleChoiceField(
        label=_("Autres bénéficiaires (collectifs territoriaux, entreprises de l'ESS…)"),
        queryset=Organisation.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    topic = forms.ChoiceField(label=_("Thème"), choices=KnowHowTransfer.Topic.choices)
    started_on = forms.DateField(label=_("Début"), widget=DateInput())
    ended_on = forms.DateField(
        label=_("Fin"), widget=DateInput(), required=False, help_text=_("Laissez vide s'il est en cours.")
    )
    city = forms.CharField(label=_("Lieu"), max_length=100, required=False)
    programme = forms.ModelChoiceField(
        label=_("Programme"),
        queryset=Programme.objects.none(),
        required=False,
        empty_label=_("Aucun programme"),
    )
    description = forms.CharField(
        label=_("Description"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )
    testimonial = forms.CharField(
        label=_("Témoignage"), widget=forms.Textarea(attrs={"rows": 4}), required=False
    )
    outcome = forms.CharField(label=_("Résultat"), widget=forms.Textarea(attrs={"rows": 4}), required=False)
    projects = forms.ModelMultipleChoiceField(
        label=_("Projets concernés"),
        queryset=Project.objects.none(),  # in __init__: the projects this user may link
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(
        self, data: Any = None, *, user: User, transfer: KnowHowTransfer | None = None, with_results: bool
    ) -> None:
        super().__init__(data, initial=initial_values(transfer) if transfer else None)
        organisations = Organisation.objects.order_by("name")
        self.fields["provider"].queryset = organisations
        self.fields["organisations"].queryset = organisations
        self.fields["structures"].queryset = Structure.objects.order_by("name")
        self.fields["programme"].queryset = Programme.objects.order_by("name")
        self.fields["projects"].queryset = (
            linkable_projects(user).select_related("structure").order_by("structure__name", "title")
        )
        self.fields["projects"].label_from_instance = lambda project: (
            f"{project.title} ({project.structure.name})"
        )
        if not with_results:
            del self.fields["testimonial"], self.fields["outcome"]

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if bool(cleaned.get("provider")) == bool(cleaned.get("new_provider_name", "").strip()):
            self.add_error(
                "provider", _("Choisissez une structure apporteuse existante ou nommez-en une nouvelle.")
            )
        errors = transfer_rule_errors(
            format=cleaned.get("format", ""),
            started_on=cleaned.get("started_on"),
            ended_on=cleaned.get("ended_on"),
            beneficiary_count=len(cleaned.get("structures", [])) + len(cleaned.get("organisations", [])),
        )
        for name, message in errors.items():
            # The beneficiaries are two lists: the error goes on the first, where the group starts.
            self.add_error("structures" if name == "beneficiaries" else name, message)
        return cleaned

    def fieldsets(self) -> list[tuple[str, list[forms.BoundField]]]:
        """The fields grouped as the page shows them, each group under its legend."""
        groups = [
            (_("Le transfert"), ["title", "topic", "format", "started_on", "ended_on", "city", "programme"]),
            (
                _("Structure apporteuse"),
                ["provider", "new_provider_name", "new_provider_kind", "new_provider_city"],
            ),
            (_("Bénéficiaires"), ["structures", "organisations"]),
            (_("Contenu"), ["description", "testimonial", "outcome", "projects"]),
        ]
        return [(legend, [self[name] for name in names if name in self.fields]) for legend, names in groups]

    def service_arguments(self) -> dict[str, Any]:
        """The cleaned values as the services take them (provider or new provider, beneficiaries…)."""
        data = dict(self.cleaned_data)
        name = data.pop("new_provider_name").strip()
        kind, city = data.pop("new_provider_kind") or Organisation.Kind.OTHER, data.pop("new_provider_city")
        if name:
            data["provider"] = None
            data["new_provider"] = NewOrganisation(name=name, kind=kind, city=city)
        return data


def initial_values(transfer: KnowHowTransfer) -> dict[str, Any]:
    """The form's initial values for an existing transfer (its beneficiaries split by kind)."""
    beneficiaries = list(transfer.beneficiaries.all())
    return {
        "title": transfer.title,
        "provider": transfer.provider_id,
        "format": transfer.format,
        "structures": [b.structure_id for b in beneficiaries if b.structure_id],
        "organisations": [b.organisation_id for b in beneficiaries if b.organisation_id],
        "topic": transfer.topic,
        "started_on": transfer.started_on,
        "ended_on": transfer.ended_on,
        "city": transfer.city,
        "programme": transfer.programme_id,
        "description": transfer.description,
        "testimonial": transfer.testimonial,
        "outcome": transfer.outcome,
        "projects": list(transfer.projects.values_list("pk", flat=True)),
    }
