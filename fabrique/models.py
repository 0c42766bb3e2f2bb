import datetime as dt

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("créé le"), auto_now_add=True)
    updated_at = models.DateTimeField(_("modifié le"), auto_now=True)

    class Meta:
        abstract = True


def choices_constraint(field: str, choices: type[models.TextChoices], name: str, allow_blank: bool = False):
    """A CheckConstraint keeping `field` within the values of `choices` (blank too if allowed)."""
    values = list(choices.values) + ([""] if allow_blank else [])
    return models.CheckConstraint(condition=Q(**{f"{field}__in": values}), name=name)


class Country(models.TextChoices):
    FRANCE = "FR", _("France")
    CANADA = "CA", _("Canada (Québec)")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email: str, password: str | None, **extra_fields):
        if not email:
            raise ValueError("Une adresse e-mail est obligatoire.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email: str, password: str | None = None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)


class User(AbstractUser):
    """A person who logs in by e-mail. Roles come from `fabrique.roles`: staff (Avise), coordinator of
    structures (`network.Coordinator`), committee member through a labelled structure, partner member
    (`programmes.PartnerMember`)."""

    username = None
    email = models.EmailField(_("adresse e-mail"), unique=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    objects = UserManager()

    class Meta:
        verbose_name = _("utilisateur")
        verbose_name_plural = _("utilisateurs")
        ordering = ["last_name", "first_name", "email"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_ci_unique"),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.email


class ImportStatus(models.TextChoices):
    PREVIEW = "preview", _("aperçu")
    RUNNING = "running", _("en cours")
    DONE = "done", _("importé")
    FAILED = "failed", _("échoué")


class ImportRun(TimeStampedModel):
    """One spreadsheet import by the staff (issue 7): the dry run's preview, then the real import, kept as
    history. The uploaded file is kept (private storage, under imports/) so that confirming imports exactly
    the file that was previewed."""

    Status = ImportStatus

    created_by = models.ForeignKey(
        User, verbose_name=_("importé par"), on_delete=models.SET_NULL, null=True, related_name="import_runs"
    )
    # A key of fabrique.spreadsheets.registry.IMPORTABLES; no choices, so the registry may grow freely.
    kind = models.CharField(_("contenu"), max_length=30)
    file = models.FileField(_("fichier"), upload_to="imports/%Y/%m/")
    file_name = models.CharField(_("nom du fichier"), max_length=255)
    status = models.CharField(_("statut"), max_length=10, choices=Status, default=Status.PREVIEW)
    total_rows = models.PositiveIntegerField(_("lignes"), default=0)
    new_count = models.PositiveIntegerField(_("nouvelles"), default=0)
    updated_count = models.PositiveIntegerField(_("mises à jour"), default=0)
    unchanged_count = models.PositiveIntegerField(_("inchangées"), default=0)
    error_count = models.PositiveIntegerField(_("erreurs"), default=0)
    # [{"row": 3, "column": "Étape", "message": "…"}]; row is the line number in the sheet (header = 1).
    errors = models.JSONField(_("erreurs"), default=list, blank=True)
    # The dry run's verdict per row: [{"row": 2, "status": "new", "key": "tag22"}].
    preview = models.JSONField(_("aperçu"), default=list, blank=True)
    finished_at = models.DateTimeField(_("terminé le"), null=True, blank=True)

    class Meta:
        verbose_name = _("import de tableur")
        verbose_name_plural = _("imports de tableur")
        ordering = ["-created_at", "-pk"]
        constraints = [choices_constraint("status", ImportStatus, "importrun_status_valid")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})" if self.created_at else self.file_name

    @property
    def kind_label(self) -> str:
        # Imported here: the registry names the resources, which import the models of every app.
        from fabrique.spreadsheets.registry import IMPORTABLES

        importable = IMPORTABLES.get(self.kind)
        return str(importable.label) if importable else self.kind


def invitation_cutoff() -> dt.datetime:
    """Links sent before this moment have expired (INVITATION_MAX_AGE_DAYS after their sending)."""
    return timezone.now() - dt.timedelta(days=settings.INVITATION_MAX_AGE_DAYS)


class InvitationQuerySet(models.QuerySet):
    """Statuses as filters; `expired_before` is the send time before which a pending link has expired."""

    def pending(self, expired_before):
        return self.filter(accepted_at=None, revoked_at=None, sent_at__gte=expired_before)

    def accepted(self):
        return self.exclude(accepted_at=None)

    def expired(self, expired_before):
        return self.filter(accepted_at=None, revoked_at=None, sent_at__lt=expired_before)

    def revoked(self):
        return self.filter(accepted_at=None).exclude(revoked_at=None)

    def for_list(self):
        return self.select_related("invited_by", "partner", "accepted_by").prefetch_related("structures")


class Invitation(TimeStampedModel):
    """Avise staff invite a person as coordinator of structures and/or member of a partner organisation
    (issue 8). The e-mailed link carries `key`, signed (fabrique/accounts/invitations.py); a resend draws a
    new key, so only the latest link works, and it expires INVITATION_MAX_AGE_DAYS after `sent_at`."""

    class Status(models.TextChoices):
        PENDING = "pending", _("en attente")
        ACCEPTED = "accepted", _("acceptée")
        EXPIRED = "expired", _("expirée")
        REVOKED = "revoked", _("révoquée")

    email = models.EmailField(_("adresse e-mail"))
    first_name = models.CharField(_("prénom"), max_length=150, blank=True)
    last_name = models.CharField(_("nom"), max_length=150, blank=True)
    structures = models.ManyToManyField(
        "network.Structure",
        verbose_name=_("structures coordonnées"),
        related_name="invitations",
        blank=True,
    )
    partner = models.ForeignKey(
        "programmes.Partner",
        verbose_name=_("partenaire"),
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="invitations",
    )
    title = models.CharField(_("fonction"), max_length=200, blank=True)
    key = models.CharField(_("clé du lien"), max_length=64, unique=True)
    invited_by = models.ForeignKey(
        User,
        verbose_name=_("invité·e par"),
        on_delete=models.SET_NULL,
        null=True,
        related_name="invitations_sent",
    )
    sent_at = models.DateTimeField(_("envoyée le"))
    accepted_at = models.DateTimeField(_("acceptée le"), null=True, blank=True)
    accepted_by = models.ForeignKey(
        User,
        verbose_name=_("compte"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="invitations_accepted",
    )
    # True when the address already had an account: the roles were added at once, no link to follow.
    existing_account = models.BooleanField(_("compte existant"), default=False)
    revoked_at = models.DateTimeField(_("révoquée le"), null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-sent_at", "-pk"]
        constraints = [
            # An invitation ends once: accepted or revoked, never both.
            models.CheckConstraint(
                condition=Q(accepted_at=None) | Q(revoked_at=None), name="invitation_accepted_or_revoked"
            ),
        ]

    def __str__(self) -> str:
        return self.email

    @property
    def expires_at(self) -> dt.datetime:
        return self.sent_at + dt.timedelta(days=settings.INVITATION_MAX_AGE_DAYS)

    @property
    def status(self) -> "Invitation.Status":
        return self.status_at(invitation_cutoff())

    def status_at(self, expired_before: dt.datetime) -> "Invitation.Status":
        if self.accepted_at:
            return self.Status.ACCEPTED
        if self.revoked_at:
            return self.Status.REVOKED
        if self.sent_at < expired_before:
            return self.Status.EXPIRED
        return self.Status.PENDING
