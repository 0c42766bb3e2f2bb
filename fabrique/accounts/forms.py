"""The invitation forms: the staff's new invitation, and the invited person's choice of a password."""

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from fabrique.models import Invitation, User
from network.models import Structure
from programmes.models import Partner


class InvitationForm(forms.ModelForm):
    structures = forms.ModelMultipleChoiceField(
        label=_("Chargé·e de mission de"),
        queryset=Structure.objects.order_by("name"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Une ou plusieurs structures porteuses."),
    )
    partner = forms.ModelChoiceField(
        label=_("Membre du partenaire"),
        queryset=Partner.objects.order_by("name"),
        required=False,
        empty_label=_("— aucun —"),
    )

    class Meta:
        model = Invitation
        fields = ["email", "first_name", "last_name", "structures", "partner", "title"]
        help_texts = {"title": _("Par exemple « Chargée de mission Fabrique à initiatives ».")}

    def clean_email(self) -> str:
        return User.objects.normalize_email(self.cleaned_data["email"]).strip().lower()

    def clean(self) -> dict:
        cleaned = super().clean()
        if not cleaned.get("structures") and not cleaned.get("partner"):
            raise forms.ValidationError(
                _("Choisissez au moins une structure ou un partenaire : l’invitation donne un rôle."),
                code="no_role",
            )
        return cleaned


class AcceptInvitationForm(forms.Form):
    first_name = forms.CharField(label=_("Prénom"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Nom"), max_length=150, required=False)
    password1 = forms.CharField(
        label=_("Mot de passe"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=_("Mot de passe (à nouveau)"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args, invitation: Invitation, **kwargs) -> None:
        self.invitation = invitation
        initial = {"first_name": invitation.first_name, "last_name": invitation.last_name}
        super().__init__(*args, initial=initial, **kwargs)

    def clean(self) -> dict:
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", _("Les deux mots de passe ne sont pas identiques."))
        elif password1:
            # Django's validators, the similarity one compared with the future account's name and address.
            future_user = User(
                email=self.invitation.email,
                first_name=cleaned.get("first_name", ""),
                last_name=cleaned.get("last_name", ""),
            )
            try:
                password_validation.validate_password(password1, future_user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned
