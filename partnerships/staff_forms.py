"""Forms of the staff's editing pages. They validate only; partnerships.services writes.

Mission times are typed as wall-clock date-times where the mission takes place: the form attaches the
mission's own zone (never the site's or the browser's) and the database keeps UTC."""

import datetime as dt
from pathlib import PurePath
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html
from django.utils.text import slugify
from django.utils.translation import gettext_lazy as _

from fabrique.uploads import validate_document_file
from network.models import Structure
from partnerships.models import (
    Agreement,
    Mission,
    Objective,
    Organisation,
    Participant,
    Partnership,
    Party,
    Support,
    Visit,
)
from projects.forms import DateInput
from projects.services import DEFAULT_DOCUMENT_MAX_BYTES

LOCAL_FORMAT = "%Y-%m-%dT%H:%M"


def local_to_utc(local: dt.datetime, zone_name: str) -> dt.datetime:
    """The UTC instant of a wall-clock time in `zone_name`. A time the clocks skip (spring forward) is
    refused; a time they show twice (fall back) is the first one, still on summer time (fold=0)."""
    zone = ZoneInfo(zone_name)
    aware = local.replace(tzinfo=zone, fold=0)
    instant = aware.astimezone(dt.UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != local.replace(tzinfo=None, fold=0):
        raise ValidationError(
            _("Cette heure n'existe pas dans ce fuseau (passage à l'heure d'été) : choisissez-en une autre."),
            code="nonexistent_time",
        )
    return instant


def utc_to_local(instant: dt.datetime, zone_name: str) -> dt.datetime:
    return instant.astimezone(ZoneInfo(zone_name)).replace(tzinfo=None)


class LocalDateTimeField(forms.DateTimeField):
    """A date and time with no zone (the mission's form attaches one). Django's own field would read it in
    the site's current zone and refuse times that only the site's zone skips."""

    widget = forms.DateTimeInput(attrs={"type": "datetime-local"}, format=LOCAL_FORMAT)

    def to_python(self, value: Any) -> dt.datetime | None:
        if value in self.empty_values:
            return None
        if isinstance(value, dt.datetime):
            return value.replace(tzinfo=None)
        try:
            parsed = parse_datetime(str(value).strip())
        except ValueError:
            parsed = None
        if parsed is None:
            parsed = forms.fields.BaseTemporalField.to_python(self, value)
        return parsed.replace(tzinfo=None)

    def prepare_value(self, value: Any) -> Any:
        return value


class StoredFileInput(forms.ClearableFileInput):
    """No link to the stored file (documents are served only through permission-checked views, never from
    MEDIA_URL): the form names the current file in its help text instead."""

    def is_initial(self, value: Any) -> bool:
        return False


def name_current_file(field: forms.Field, stored: Any) -> None:
    if stored:
        field.help_text = format_html(
            _("Fichier actuel : {name}. Choisissez un fichier pour le remplacer."),
            name=PurePath(stored.name).name,
        )


def validated_document(uploaded: Any) -> Any:
    """An uploaded file is checked from its bytes; a file already stored passes as it is."""
    if isinstance(uploaded, UploadedFile):
        validate_document_file(
            uploaded, getattr(settings, "PROJECT_DOCUMENT_MAX_BYTES", DEFAULT_DOCUMENT_MAX_BYTES)
        )
    return uploaded


class SlugFromTitleMixin:
    """The slug may be left empty: it is then made from the title (uniqueness is checked by the model)."""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if not cleaned.get("slug") and cleaned.get("title"):
            cleaned["slug"] = slugify(cleaned["title"])[:200]
        return cleaned


class PartnershipForm(SlugFromTitleMixin, forms.ModelForm):
    class Meta:
        model = Partnership
        fields = ["title", "slug", "summary", "objectives", "start_date", "end_date", "is_published"]
        widgets = {
            "summary": forms.Textarea(attrs={"rows": 4}),
            "objectives": forms.Textarea(attrs={"rows": 4}),
            "start_date": DateInput(),
            "end_date": DateInput(),
        }
        help_texts = {"slug": _("Laissé vide, il est formé à partir de l'intitulé.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        start, end = cleaned.get("start_date"), cleaned.get("end_date")
        if start and end and end < start:
            self.add_error("end_date", _("La fin ne peut précéder le début."))
        return cleaned


PartyFormSet = forms.inlineformset_factory(
    Partnership,
    Party,
    fields=["organisation", "side", "description"],
    extra=2,
    can_delete=True,
)
SupportFormSet = forms.inlineformset_factory(
    Partnership, Support, fields=["partner", "scheme"], extra=1, can_delete=True
)


class AgreementForm(forms.ModelForm):
    class Meta:
        model = Agreement
        fields = ["title", "parties", "status", "signed_on", "document"]
        widgets = {
            "signed_on": DateInput(),
            "parties": forms.CheckboxSelectMultiple(),
            "document": StoredFileInput(),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["parties"].queryset = Organisation.objects.order_by("name")
        name_current_file(self.fields["document"], self.instance.document)

    def clean_document(self) -> Any:
        return validated_document(self.cleaned_data.get("document"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        if cleaned.get("status") in (Agreement.Status.SIGNED, Agreement.Status.EXPIRED) and not cleaned.get(
            "signed_on"
        ):
            self.add_error("signed_on", _("Une entente signée ou expirée doit avoir sa date de signature."))
        return cleaned


class MissionForm(SlugFromTitleMixin, forms.ModelForm):
    starts_at = LocalDateTimeField(
        label=_("Début (heure locale de la mission)"),
        help_text=_("Date et heure telles qu'on les lit sur place, dans le fuseau choisi ci-dessus."),
    )
    ends_at = LocalDateTimeField(label=_("Fin (heure locale de la mission)"))

    class Meta:
        model = Mission
        fields = [
            "partnership",
            "title",
            "slug",
            "kind",
            "direction",
            "timezone",
            "starts_at",
            "ends_at",
            "cities",
            "summary",
            "report",
            "is_published",
            "projects",
        ]
        widgets = {"summary": forms.Textarea(attrs={"rows": 4}), "report": StoredFileInput()}
        help_texts = {
            "slug": _("Laissé vide, il est formé à partir de l'intitulé."),
            "timezone": _("Le fuseau du lieu de la mission : les heures ci-dessous y sont lues."),
            "cities": _("Séparées par des virgules, par exemple : Rouen, Toulouse, Bordeaux."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["slug"].required = False
        self.fields["partnership"].queryset = Partnership.objects.order_by("title")
        self.fields["partnership"].empty_label = _("Aucun partenariat")
        self.fields["projects"].queryset = self.fields["projects"].queryset.order_by("title")
        name_current_file(self.fields["report"], self.instance.report)
        if self.instance.pk:
            # Shown as read on site: in the mission's own zone, whatever the site's zone.
            zone = self.instance.timezone
            self.initial["starts_at"] = utc_to_local(self.instance.starts_at, zone)
            self.initial["ends_at"] = utc_to_local(self.instance.ends_at, zone)

    def clean_report(self) -> Any:
        return validated_document(self.cleaned_data.get("report"))

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        zone = cleaned.get("timezone")
        if not zone:
            return cleaned
        for name in ("starts_at", "ends_at"):
            if cleaned.get(name) is not None:
                try:
                    cleaned[name] = local_to_utc(cleaned[name], zone)
                except ValidationError as error:
                    self.add_error(name, error)
        if cleaned.get("starts_at") and cleaned.get("ends_at") and cleaned["ends_at"] < cleaned["starts_at"]:
            self.add_error("ends_at", _("La fin ne peut précéder le début."))
        return cleaned


class OneOfStructureOrOrganisationForm(forms.ModelForm):
    """A member structure of the network or an outside organisation."""

    exactly_one = True

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["structure"].queryset = Structure.objects.order_by("name")
        self.fields["structure"].empty_label = _("Aucune structure du réseau")
        self.fields["organisation"].queryset = Organisation.objects.order_by("name")
        self.fields["organisation"].empty_label = _("Aucune organisation")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        structure, organisation = cleaned.get("structure"), cleaned.get("organisation")
        if structure and organisation:
            raise ValidationError(
                _("Choisissez une structure du réseau ou une organisation, pas les deux."), code="both"
            )
        if self.exactly_one and not structure and not organisation:
            raise ValidationError(
                _("Choisissez une structure du réseau ou une organisation."), code="neither"
            )
        return cleaned


class VisitForm(OneOfStructureOrOrganisationForm):
    class Meta:
        model = Visit
        fields = ["structure", "organisation", "city", "visited_on", "note"]
        labels = {"structure": _("Structure du réseau"), "organisation": _("Organisation")}
        widgets = {"visited_on": DateInput(), "note": forms.Textarea(attrs={"rows": 2})}


class ParticipantForm(OneOfStructureOrOrganisationForm):
    exactly_one = False

    class Meta:
        model = Participant
        fields = ["name", "role", "structure", "organisation"]
        labels = {"structure": _("Structure du réseau"), "organisation": _("Organisation")}


class ObjectiveForm(forms.ModelForm):
    class Meta:
        model = Objective
        fields = ["text", "outcome", "outcome_note"]
        widgets = {
            "text": forms.Textarea(attrs={"rows": 2}),
            "outcome_note": forms.Textarea(attrs={"rows": 2}),
        }


class OrderedObjectiveFormSet(forms.BaseInlineFormSet):
    """Objectives keep the order in which they are listed on the page."""

    def save(self, commit: bool = True) -> list[Objective]:
        for position, form in enumerate(self.forms):
            form.instance.position = position
        return super().save(commit)


ObjectiveFormSet = forms.inlineformset_factory(
    Mission, Objective, form=ObjectiveForm, formset=OrderedObjectiveFormSet, extra=2, can_delete=True
)
VisitFormSet = forms.inlineformset_factory(Mission, Visit, form=VisitForm, extra=2, can_delete=True)
ParticipantFormSet = forms.inlineformset_factory(
    Mission, Participant, form=ParticipantForm, extra=2, can_delete=True
)


class ObjectiveOutcomeForm(forms.ModelForm):
    """The quick form beside an objective on the mission's page."""

    class Meta:
        model = Objective
        fields = ["outcome", "outcome_note"]
        widgets = {"outcome_note": forms.Textarea(attrs={"rows": 2})}
