"""Forms of the staff's appellation pages. They validate what was typed; the services write and check the
rules (a refusal comes back as reasons shown next to the form)."""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from fabrique.templatetags.french_dates import french_date
from network.appellation.services import REASON_REQUIRED, STAFF_MOVES
from network.models import AppellationApplication, Structure

Decision = AppellationApplication.Decision


class CommitteeForm(forms.Form):
    held_on = forms.DateField(label=_("Date de la séance"), widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(
        label=_("Lieu"), max_length=200, required=False, help_text=_("Par exemple : Avise, Paris.")
    )
    video_url = forms.URLField(
        label=_("Lien de visioconférence"),
        required=False,
        assume_scheme="https",
        help_text=_("Un lieu, un lien ou les deux."),
    )
    notes = forms.CharField(label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def clean(self):
        data = super().clean()
        if not data.get("place", "").strip() and not data.get("video_url"):
            raise forms.ValidationError(_("Indiquez le lieu de la séance ou son lien de visioconférence."))
        return data


class ApplicationChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, application: AppellationApplication) -> str:
        return _("%(structure)s — déposée le %(date)s") % {
            "structure": application.structure.name,
            "date": french_date(timezone.localtime(application.submitted_at).date()),
        }


class AttachForm(forms.Form):
    application = ApplicationChoiceField(
        label=_("Demande à inscrire"),
        queryset=AppellationApplication.objects.none(),
        empty_label=_("Choisissez une demande"),
        error_messages={"invalid_choice": _("Cette demande ne peut plus être inscrite : rechargez la page.")},
    )

    def __init__(self, *args, applications, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application"].queryset = applications


class MembersForm(forms.Form):
    structures = forms.ModelMultipleChoiceField(
        label=_("Membres de la séance"),
        queryset=Structure.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("Une structure cochée ne peut pas siéger : rechargez la page.")},
    )

    def __init__(self, *args, candidates, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["structures"].queryset = candidates


class ConflictForm(forms.Form):
    application = forms.ModelChoiceField(
        label=_("Demande concernée"),
        queryset=AppellationApplication.objects.none(),
        empty_label=_("Choisissez une demande"),
    )
    structure = forms.ModelChoiceField(
        label=_("Structure en conflit"), queryset=Structure.objects.none(), empty_label=_("Choisissez")
    )
    reason = forms.CharField(label=_("Motif"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, applications, structures, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["application"].queryset = applications
        self.fields["application"].label_from_instance = lambda application: application.structure.name
        self.fields["structure"].queryset = structures


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(label=_("Décision"), choices=Decision.choices, widget=forms.RadioSelect)
    decided_on = forms.DateField(
        label=_("Date de la décision"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    recommendations = forms.CharField(
        label=_("Recommandations du comité"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Obligatoires pour un ajournement ou un refus : elles figurent dans la lettre de décision."
        ),
    )
    # Set by the confirmation page: the decision changes the structure's phase, so it is asked twice.
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"decided_on": timezone.localdate()})
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        if (
            data.get("decision") in (Decision.DEFERRED, Decision.REFUSED)
            and not data.get("recommendations", "").strip()
        ):
            self.add_error(
                "recommendations",
                _(
                    "Rédigez les recommandations du comité : elles sont obligatoires "
                    "pour un ajournement ou un refus."
                ),
            )
        return data


class PhaseForm(forms.Form):
    to_phase = forms.ChoiceField(label=_("Nouvelle phase"), choices=(), widget=forms.RadioSelect)
    reason = forms.CharField(
        label=_("Motif"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Obligatoire pour une suspension ou un retrait."),
    )
    changed_on = forms.DateField(
        label=_("Date du changement"), widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    confirmed = forms.BooleanField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, structure: Structure, **kwargs):
        kwargs.setdefault("initial", {"changed_on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        allowed = STAFF_MOVES.get(structure.phase, set())
        self.fields["to_phase"].choices = [
            (value, label) for value, label in Structure.Phase.choices if value in allowed
        ]

    def clean(self):
        data = super().clean()
        if data.get("to_phase") in REASON_REQUIRED and not data.get("reason", "").strip():
            self.add_error("reason", _("Indiquez le motif de la suspension ou du retrait."))
        return data

    @property
    def needs_confirmation(self) -> bool:
        """Suspending or withdrawing a structure is asked twice."""
        return self.cleaned_data["to_phase"] in REASON_REQUIRED and not self.cleaned_data["confirmed"]
