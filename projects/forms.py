"""Forms of the project pages. They validate only: the views hand `cleaned_data` to projects.services."""

from typing import Any

from django import forms
from django.conf import settings
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fabrique.roles import AnyUser, coordinated_structure_ids, is_avise_staff
from network.models import Structure, Territory
from programmes.access import selectable_programmes
from programmes.models import Partner, Programme
from projects.models import Document, HolderAssignment, Indicator, Project, Stage
from projects.services import DEFAULT_DOCUMENT_MAX_BYTES, EDITABLE_FIELDS


class DateInput(forms.DateInput):
    """The browser's date picker; the value is sent as ISO (YYYY-MM-DD) whatever the language."""

    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def creatable_structures(user: AnyUser):
    """The structures `user` may create a project for: all for staff, their own for a coordinator."""
    if is_avise_staff(user):
        return Structure.objects.order_by("name")
    return Structure.objects.filter(pk__in=coordinated_structure_ids(user)).order_by("name")


class ProjectCreateForm(forms.Form):
    """A new project: the view calls services.create_project with `cleaned_data`.

    The structure is a choice among those the user may create for; with only one, it is a hidden field
    (nothing to choose), still checked against that single structure."""

    structure = forms.ModelChoiceField(label=_("Structure porteuse"), queryset=Structure.objects.none())
    title = forms.CharField(label=_("Titre du projet"), max_length=200)
    territory = forms.ModelChoiceField(
        label=_("Territoire"),
        queryset=Territory.objects.order_by("name"),
        empty_label=_("Choisissez un territoire"),
    )
    sector = forms.ChoiceField(label=_("Secteur"), choices=Project.Sector.choices)
    programme = forms.ModelChoiceField(
        label=_("Programme"),
        queryset=Programme.objects.order_by("name"),
        required=False,
        empty_label=_("Aucun programme"),
    )
    need = forms.CharField(
        label=_("Besoin détecté"),
        widget=forms.Textarea(attrs={"rows": 4}),
        required=False,
        help_text=_("Le besoin social repéré avec les habitants et les acteurs du territoire."),
    )

    def __init__(self, data: Any = None, *, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(data, **kwargs)
        self.user = user
        structures = creatable_structures(user)
        field = self.fields["structure"]
        field.queryset = structures
        self.fields["programme"].queryset = selectable_programmes(user)
        # One query to know whether there is a choice to offer; the single one becomes the initial value.
        first_two = list(structures[:2])
        if len(first_two) == 1:
            field.widget = forms.HiddenInput()
            field.initial = first_two[0].pk
            self.single_structure = first_two[0]
        else:
            self.single_structure = None


class ProjectEditForm(forms.ModelForm):
    """The editable fields of a project (services.EDITABLE_FIELDS); the view passes the changed ones on.

    The study's file is not uploaded here: it is a project document of kind « Étude d'opportunité »,
    checked by its content and served only through the permission-checked download view."""

    class Meta:
        model = Project
        # In the order of the page; the study's file is left out (see above).
        fields = [name for name in EDITABLE_FIELDS if name != "study_document"]
        widgets = {
            "need": forms.Textarea(attrs={"rows": 4}),
            "solution": forms.Textarea(attrs={"rows": 4}),
            "study_summary": forms.Textarea(attrs={"rows": 4}),
            "key_lessons": forms.Textarea(attrs={"rows": 3}),
            "study_started_on": DateInput(),
            "study_completed_on": DateInput(),
            "started_on": DateInput(),
            "partners": forms.CheckboxSelectMultiple(),
        }

    def __init__(self, *args: Any, user: AnyUser, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["territory"].queryset = Territory.objects.order_by("name")
        self.fields["programme"].queryset = selectable_programmes(
            user, structure_ids=[self.instance.structure_id], keep=self.instance.programme_id
        )
        self.fields["programme"].empty_label = _("Aucun programme")
        self.fields["partners"].queryset = Partner.objects.order_by("name")

    def _post_clean(self) -> None:
        # The service writes and runs full_clean() itself; construct_instance() here would change the
        # instance before the service decides which fields to save.
        pass

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        started, completed = cleaned.get("study_started_on"), cleaned.get("study_completed_on")
        if started and completed and completed < started:
            self.add_error(
                "study_completed_on", _("L'étude d'opportunité ne peut pas finir avant d'avoir commencé.")
            )
        return cleaned

    def changes(self) -> dict[str, Any]:
        """The cleaned values of the fields the user changed, ready for services.update_project."""
        return {name: self.cleaned_data[name] for name in self.changed_data if name in self.cleaned_data}


class MoveForm(forms.Form):
    """One move along the pipeline. `expected_stage` is the stage the page showed: if someone moved the
    project meanwhile, the service refuses instead of moving it twice."""

    to_stage = forms.ChoiceField(label=_("Nouvelle étape"), choices=Stage.choices)
    expected_stage = forms.ChoiceField(choices=Stage.choices, widget=forms.HiddenInput())
    note = forms.CharField(
        label=_("Note"), widget=forms.Textarea(attrs={"rows": 2}), required=False, max_length=2000
    )
    abandon_reason = forms.CharField(
        label=_("Motif de l'abandon"),
        widget=forms.Textarea(attrs={"rows": 2}),
        required=False,
        max_length=2000,
    )
    started_on = forms.DateField(
        label=_("Date de démarrage de l'activité"), required=False, widget=DateInput()
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        to_stage = cleaned.get("to_stage")
        if to_stage == Stage.ABANDONED and not cleaned.get("abandon_reason", "").strip():
            self.add_error("abandon_reason", _("Indiquez le motif de l'abandon."))
        # Each extra belongs to one move only: a start date sent with another move must not be written.
        if to_stage != Stage.ABANDONED:
            cleaned["abandon_reason"] = ""
        if to_stage != Stage.LAUNCHED:
            cleaned["started_on"] = None
        started_on = cleaned.get("started_on")
        if started_on and started_on > timezone.localdate():
            self.add_error("started_on", _("La date de démarrage ne peut pas être dans le futur."))
        return cleaned


class HolderForm(forms.ModelForm):
    """A new holder assignment: a dated event, earlier ones stay in the history."""

    prefix = "holder"  # several forms share the project page: prefixes keep their ids unique

    class Meta:
        model = HolderAssignment
        fields = ["holder_name", "holder_organisation", "assigned_on", "note"]
        widgets = {"assigned_on": DateInput(), "note": forms.Textarea(attrs={"rows": 2})}
        labels = {"holder_name": _("Nom du porteur de projet")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["assigned_on"].initial = timezone.localdate

    def _post_clean(self) -> None:
        pass  # the service builds and checks the assignment

    def clean_assigned_on(self):
        assigned_on = self.cleaned_data["assigned_on"]
        if assigned_on > timezone.localdate():
            raise forms.ValidationError(
                _("La date de désignation du porteur ne peut pas être dans le futur.")
            )
        return assigned_on


class IndicatorForm(forms.ModelForm):
    prefix = "indicator"

    class Meta:
        model = Indicator
        fields = ["kind", "value", "measured_on", "note"]
        widgets = {"measured_on": DateInput()}
        help_texts = {
            "kind": _("Une seule mesure par indicateur et par date : la saisir à nouveau la corrige."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["measured_on"].initial = timezone.localdate
        self.fields["value"].widget.attrs["min"] = 0
        self.fields["kind"].choices = [("", _("Choisissez un indicateur")), *Indicator.Kind.choices]

    def clean_value(self):
        value = self.cleaned_data["value"]
        if value < 0:
            raise forms.ValidationError(_("La valeur d'un indicateur ne peut pas être négative."))
        return value

    def _post_clean(self) -> None:
        pass  # the service corrects an existing measure of the same day instead of adding one


class DocumentForm(forms.ModelForm):
    prefix = "document"

    class Meta:
        model = Document
        fields = ["title", "kind", "file"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        max_bytes = getattr(settings, "PROJECT_DOCUMENT_MAX_BYTES", DEFAULT_DOCUMENT_MAX_BYTES)
        self.fields["file"].help_text = _(
            "PDF, PNG, JPEG, Word, Excel, OpenDocument, texte ou CSV, %(max)s au plus. "
            "Le type est vérifié d'après le contenu du fichier."
        ) % {"max": filesizeformat(max_bytes)}

    def _post_clean(self) -> None:
        pass  # the service checks the file by its content and stores its real type and size
