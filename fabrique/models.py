from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
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
