"""Forms of the appellation dossier page. They validate only: the views hand `cleaned_data` to
network.appellation.services, which checks the permissions and the rules and writes."""

from typing import Any

from django import forms
from django.conf import settings
from django.db.models import QuerySet
from django.template.defaultfilters import filesizeformat
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from network.appellation import selectors
from network.appellation.services import DEFAULT_DOSSIER_DOCUMENT_MAX_BYTES
from network.models import AppellationApplication, Opinion, Structure


class DossierForm(forms.Form):
    """The four narrative sections (selectors.DOSSIER_SECTIONS), labelled as the dossier names them.

    A section may be saved shorter than SECTION_MIN_LENGTH (the dossier is written over weeks); the
    readiness checklist asks for the full length only when submitting."""

    prefix = "dossier"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        help_text = _("Au moins %(count)s caractères pour pouvoir déposer le dossier.") % {
            "count": selectors.SECTION_MIN_LENGTH
        }
        for name, label in selectors.section_labels().items():
            self.fields[name] = forms.CharField(
                label=capfirst(label),
                required=False,
                widget=forms.Textarea(attrs={"rows": 8}),
                help_text=help_text,
            )

    @classmethod
    def for_application(cls, application: AppellationApplication) -> "DossierForm":
        return cls(initial={name: getattr(application, name) for name in selectors.DOSSIER_SECTIONS})


class DossierDocumentForm(forms.Form):
    """A document of the dossier; the service checks the file by its content (type and size)."""

    prefix = "document"

    title = forms.CharField(label=_("Titre du document"), max_length=200)
    file = forms.FileField(label=_("Fichier"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        max_bytes = getattr(settings, "PROJECT_DOCUMENT_MAX_BYTES", DEFAULT_DOSSIER_DOCUMENT_MAX_BYTES)
        self.fields["file"].help_text = _(
            "PDF, PNG, JPEG, Word, Excel, OpenDocument, texte ou CSV, %(max)s au plus. "
            "Le type est vérifié d'après le contenu du fichier."
        ) % {"max": filesizeformat(max_bytes)}


class OpinionForm(forms.Form):
    """A committee member's opinion on the dossier, given in the name of one of the seated structures the
    user coordinates (`members`). Field ids carry the structure, so that several forms fit on one page."""

    member = forms.ModelChoiceField(queryset=Structure.objects.none(), widget=forms.HiddenInput)
    verdict = forms.ChoiceField(
        label=_("Votre avis"), choices=Opinion.Verdict.choices, widget=forms.RadioSelect
    )
    comment = forms.CharField(
        label=_("Commentaire"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=_("Ce que le comité doit savoir de votre avis : points forts, réserves, questions."),
    )

    def __init__(self, *args: Any, members: QuerySet[Structure], member: Structure | None = None, **kwargs):
        if member is not None:
            kwargs.setdefault("auto_id", f"avis-{member.pk}-%s")
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        if member is not None:
            self.fields["member"].initial = member.pk
