"""National thematic programmes, the partner organisations that fund or co-operate them, and the
structures that take part on given territories."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from fabrique.audit import AuditTrail
from fabrique.models import TimeStampedModel, choices_constraint


class PartnerKind(models.TextChoices):
    EUROPE = "europe", _("Union européenne")
    STATE = "state", _("État et agences publiques")
    PUBLIC_BANK = "public_bank", _("Banque publique")
    LOCAL_AUTHORITY = "local_authority", _("Collectivité territoriale")
    FOUNDATION = "foundation", _("Fondation")
    COMPANY = "company", _("Entreprise / groupe de protection sociale")
    NETWORK = "network", _("Réseau / fédération")
    CULTURE = "culture", _("Acteur culturel")
    OTHER = "other", _("Autre")


class Partner(TimeStampedModel):
    """A partner organisation: funder, foundation, public agency, network… (Fondation PSA, ANCT…)."""

    Kind = PartnerKind

    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices)
    is_national = models.BooleanField(_("partenaire national"), default=False)
    website = models.URLField(_("site web"), blank=True)
    description = models.TextField(_("présentation"), blank=True)
    history = AuditTrail()

    class Meta:
        verbose_name = _("partenaire")
        verbose_name_plural = _("partenaires")
        ordering = ["name"]
        constraints = [choices_constraint("kind", PartnerKind, "partner_kind_valid")]

    def __str__(self) -> str:
        return self.name


class PartnerMember(TimeStampedModel):
    """A user who belongs to a partner organisation (reads its programmes' projects and fiches)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="partner_memberships",
        verbose_name=_("utilisateur"),
    )
    partner = models.ForeignKey(
        Partner, on_delete=models.CASCADE, related_name="members", verbose_name=_("partenaire")
    )
    title = models.CharField(_("fonction"), max_length=200, blank=True)
    history = AuditTrail()

    class Meta:
        verbose_name = _("membre d'un partenaire")
        verbose_name_plural = _("membres des partenaires")
        constraints = [models.UniqueConstraint(fields=["user", "partner"], name="partner_member_unique")]

    def __str__(self) -> str:
        return f"{self.user} — {self.partner}"


class Programme(TimeStampedModel):
    """A national thematic action programme run by Avise with funders, on given territories."""

    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    theme = models.CharField(_("thématique"), max_length=200, blank=True)
    summary = models.TextField(_("résumé"), blank=True)
    description = models.TextField(_("description"), blank=True)
    start_date = models.DateField(_("début"))
    end_date = models.DateField(_("fin"), null=True, blank=True)
    is_published = models.BooleanField(_("publié"), default=True)
    partners = models.ManyToManyField(
        Partner, through="Funding", related_name="programmes", verbose_name=_("partenaires")
    )
    history = AuditTrail()

    class Meta:
        verbose_name = _("programme")
        verbose_name_plural = _("programmes")
        ordering = ["-start_date", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="programme_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class FundingRole(models.TextChoices):
    FUNDER = "funder", _("Financeur")
    LEAD = "lead", _("Chef de file")
    CO_OPERATOR = "co_operator", _("Co-opérateur")
    HOST = "host", _("Accueil / hôte")
    MANAGING_AUTHORITY = "managing_authority", _("Autorité de gestion")


class Funding(TimeStampedModel):
    """A partner's role in a programme (funder, co-operator, host…) with the amount committed, if any."""

    Role = FundingRole

    partner = models.ForeignKey(
        Partner, on_delete=models.PROTECT, related_name="fundings", verbose_name=_("partenaire")
    )
    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="fundings", verbose_name=_("programme")
    )
    role = models.CharField(_("rôle"), max_length=20, choices=Role.choices, default=Role.FUNDER)
    amount = models.DecimalField(
        _("montant (€)"),
        max_digits=12,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    history = AuditTrail()

    class Meta:
        verbose_name = _("financement / rôle")
        verbose_name_plural = _("financements et rôles")
        ordering = ["programme", "role", "partner"]
        constraints = [
            choices_constraint("role", FundingRole, "funding_role_valid"),
            models.UniqueConstraint(fields=["partner", "programme", "role"], name="funding_unique_role"),
            models.CheckConstraint(
                condition=Q(amount__isnull=True) | Q(amount__gte=0), name="funding_amount_positive"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.partner} — {self.get_role_display()} — {self.programme}"


class Participation(TimeStampedModel):
    """A structure taking part in a programme on a territory, for a period."""

    programme = models.ForeignKey(
        Programme, on_delete=models.CASCADE, related_name="participations", verbose_name=_("programme")
    )
    structure = models.ForeignKey(
        "network.Structure",
        on_delete=models.PROTECT,
        related_name="participations",
        verbose_name=_("structure"),
    )
    territory = models.ForeignKey(
        "network.Territory",
        on_delete=models.PROTECT,
        related_name="participations",
        verbose_name=_("territoire"),
    )
    start_date = models.DateField(_("début"))
    end_date = models.DateField(_("fin"), null=True, blank=True)
    history = AuditTrail()

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        ordering = ["programme", "structure", "territory"]
        constraints = [
            models.UniqueConstraint(
                fields=["programme", "structure", "territory", "start_date"], name="participation_unique"
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="participation_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.structure} — {self.programme} ({self.territory})"


class BookletStatus(models.TextChoices):
    PENDING = "pending", _("En préparation")
    READY = "ready", _("Prêt")
    FAILED = "failed", _("Échec")


class ProgrammeBooklet(models.Model):
    """The programme's booklet (« carnet »): a cover, a table of contents, then the fiche of every
    published project. Built in the background by chunks of fiches (`programmes.tasks`); `build_id` names
    the build in progress, so that the chunks of a superseded build do nothing."""

    Status = BookletStatus

    programme = models.OneToOneField(
        Programme, on_delete=models.CASCADE, related_name="booklet", verbose_name=_("programme")
    )
    file = models.FileField(_("fichier"), upload_to="carnets/", blank=True)
    status = models.CharField(_("statut"), max_length=20, choices=Status.choices, default=Status.PENDING)
    content_hash = models.CharField(_("empreinte du carnet construit"), max_length=64, blank=True)
    pending_hash = models.CharField(_("empreinte du carnet en préparation"), max_length=64, blank=True)
    build_id = models.UUIDField(_("construction en cours"), null=True, blank=True)
    project_ids = models.JSONField(_("projets du carnet, dans l’ordre"), default=list, blank=True)
    fiches_total = models.PositiveIntegerField(_("fiches à assembler"), default=0)
    fiches_done = models.PositiveIntegerField(_("fiches prêtes"), default=0)
    chunks_total = models.PositiveIntegerField(_("lots"), default=0)
    chunks_done = models.PositiveIntegerField(_("lots terminés"), default=0)
    requested_at = models.DateTimeField(_("demandé le"), null=True, blank=True)
    built_at = models.DateTimeField(_("généré le"), null=True, blank=True)
    error = models.TextField(_("erreur"), blank=True)
    subscribers = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        blank=True,
        related_name="awaited_booklets",
        verbose_name=_("à prévenir quand il sera prêt"),
    )

    class Meta:
        verbose_name = _("carnet de programme")
        verbose_name_plural = _("carnets de programme")
        constraints = [
            choices_constraint("status", BookletStatus, "programmebooklet_status_valid"),
            models.CheckConstraint(
                condition=Q(fiches_done__lte=F("fiches_total")), name="programmebooklet_progress_bounded"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.programme} ({self.get_status_display()})"
