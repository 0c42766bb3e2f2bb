"""The staff's import form: what to import and the file. Reading the file is part of its validation, so
that an unreadable file (encoding, format, size) is an error on the file field, in French."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from fabrique.spreadsheets.reading import SpreadsheetError, read_table
from fabrique.spreadsheets.registry import IMPORTABLES

ACCEPTED_EXTENSIONS = ".csv,.tsv,.txt,.xlsx"


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("Contenu du fichier"),
        choices=[(key, item.label) for key, item in IMPORTABLES.items()],
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=gettext_lazy("Fichier"),
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPTED_EXTENSIONS}),
    )

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _(
            "XLSX, ou CSV séparé par « ; », « , » ou une tabulation (%(size)s Mo au plus)."
        ) % {"size": settings.SPREADSHEET_MAX_BYTES // (1024 * 1024)}

    def clean_file(self):
        uploaded = self.cleaned_data["file"]
        try:
            self.dataset = read_table(uploaded, max_bytes=settings.SPREADSHEET_MAX_BYTES)
        except SpreadsheetError as error:
            # The reader's messages name the row and column themselves.
            raise forms.ValidationError(error.message, code="unreadable") from error
        return uploaded
