"""Emergent projects and the Fabrique's method: detect → invent (opportunity study) → launch."""

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from fabrique.audit import AuditTrail
from fabrique.models import TimeStampedModel, choices_constraint


class Stage(models.TextChoices):
    DETECTION = "detection", _("Détecter")
    INVENTION = "invention", _("Inventer")
    LAUNCH = "launch", _("Lancer")
    LAUNCHED = "launched", _("Lancé")
    ABANDONED = "abandoned", _("Abandonné")


# The pipeline's allowed moves; the project services check the conditions of each.
TRANSITIONS: dict[str, set[str]] = {
    Stage.DETECTION: {Stage.INVENTION, Stage.ABANDONED},
    Stage.INVENTION: {Stage.LAUNCH, Stage.ABANDONED},
    Stage.LAUNCH: {Stage.LAUNCHED, Stage.ABANDONED},
    Stage.LAUNCHED: {Stage.ABANDONED},
    Stage.ABANDONED: {Stage.DETECTION, Stage.INVENTION, Stage.LAUNCH},
}


class Sector(models.TextChoices):
    MOBILITY = "mobility", _("Mobilité")
    FOOD = "food", _("Alimentation")
    AGEING = "ageing", _("Bien-vieillir")
    CULTURE = "culture", _("Culture et tiers-lieux")
    HOUSING = "housing", _("Habitat")
    LOCAL_SERVICES = "local_services", _("Services de proximité")
    EMPLOYMENT = "employment", _("Emploi et insertion")
    CIRCULAR_ECONOMY = "circular_economy", _("Économie circulaire")
    HEALTH = "health", _("Santé et solidarités")
    OTHER = "other", _("Autre")


class StudyConclusion(models.TextChoices):
    PENDING = "pending", _("En attente")
    FAVOURABLE = "favourable", _("Favorable")
    UNFAVOURABLE = "unfavourable", _("Défavorable")


class ProjectQuerySet(models.QuerySet):
    def published(self) -> "ProjectQuerySet":
        return self.filter(is_published=True)

    def for_list(self) -> "ProjectQuerySet":
        return self.select_related("structure", "territory", "programme")


class Project(TimeStampedModel):
    """A "projet en émergence": an activity of social utility a Fabrique helps to emerge."""

    Stage = Stage
    Sector = Sector
    StudyConclusion = StudyConclusion

    title = models.CharField(_("titre"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=220, unique=True)
    structure = models.ForeignKey(
        "network.Structure", on_delete=models.PROTECT, related_name="projects", verbose_name=_("structure")
    )
    territory = models.ForeignKey(
        "network.Territory", on_delete=models.PROTECT, related_name="projects", verbose_name=_("territoire")
    )
    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="projects",
        verbose_name=_("programme"),
    )
    sector = models.CharField(_("secteur"), max_length=20, choices=Sector.choices, default=Sector.OTHER)
    stage = models.CharField(_("étape"), max_length=20, choices=Stage.choices, default=Stage.DETECTION)
    stage_changed_at = models.DateTimeField(_("dans cette étape depuis"))
    need = models.TextField(_("besoin détecté"), blank=True)
    solution = models.TextField(_("solution imaginée"), blank=True)
    study_started_on = models.DateField(_("début de l'étude d'opportunité"), null=True, blank=True)
    study_completed_on = models.DateField(_("fin de l'étude d'opportunité"), null=True, blank=True)
    study_summary = models.TextField(_("synthèse de l'étude"), blank=True)
    study_conclusion = models.CharField(
        _("conclusion de l'étude"),
        max_length=20,
        choices=StudyConclusion.choices,
        default=StudyConclusion.PENDING,
    )
    study_document = models.FileField(_("document d'étude"), upload_to="projects/studies/%Y/", blank=True)
    started_on = models.DateField(_("date de démarrage de l'activité"), null=True, blank=True)
    abandon_reason = models.TextField(_("motif d'abandon"), blank=True)
    key_lessons = models.TextField(_("enseignements clés"), blank=True)
    partners = models.ManyToManyField(
        "programmes.Partner", related_name="projects", blank=True, verbose_name=_("partenaires du projet")
    )
    is_published = models.BooleanField(_("publié"), default=False)
    published_at = models.DateTimeField(_("publié le"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("créé par"),
    )

    objects = ProjectQuerySet.as_manager()
    history = AuditTrail()

    class Meta:
        verbose_name = _("projet")
        verbose_name_plural = _("projets")
        ordering = ["-updated_at"]
        constraints = [
            choices_constraint("stage", Stage, "project_stage_valid"),
            choices_constraint("sector", Sector, "project_sector_valid"),
            choices_constraint("study_conclusion", StudyConclusion, "project_study_conclusion_valid"),
            models.CheckConstraint(
                condition=~Q(stage=Stage.ABANDONED) | ~Q(abandon_reason=""),
                name="project_abandoned_has_reason",
                violation_error_message=_("Un projet abandonné doit indiquer le motif de l'abandon."),
            ),
            models.CheckConstraint(
                condition=~Q(stage=Stage.LAUNCHED) | Q(started_on__isnull=False),
                name="project_launched_has_start",
                violation_error_message=_("Un projet lancé doit indiquer sa date de démarrage."),
            ),
            models.CheckConstraint(
                condition=Q(study_started_on__isnull=True)
                | Q(study_completed_on__isnull=True)
                | Q(study_completed_on__gte=F("study_started_on")),
                name="project_study_dates_ordered",
                violation_error_message=_("L'étude d'opportunité ne peut pas finir avant d'avoir commencé."),
            ),
            models.CheckConstraint(
                condition=Q(is_published=False) | Q(published_at__isnull=False),
                name="project_published_has_date",
                violation_error_message=_("Un projet publié doit avoir une date de publication."),
            ),
        ]
        indexes = [
            models.Index(fields=["structure", "stage"], name="project_structure_stage"),
            models.Index(fields=["programme", "stage"], name="project_programme_stage"),
            # /programmes/ counts each programme's published projects from this index alone (0.4 ms instead
            # of 11 ms on 100,000 projects, docs/benchmarks.md).
            models.Index(
                fields=["programme"], condition=Q(is_published=True), name="project_published_programme"
            ),
            models.Index(fields=["territory"], name="project_territory"),
            models.Index(fields=["stage", "sector"], name="project_stage_sector"),
            # The directory's sorts, each ending with the primary key so pages never overlap: the directory
            # reads a page's ids from these indexes alone, even for page 2,000 (the sorts by stage and by
            # structure one stage or one structure at a time).
            models.Index(fields=["-updated_at", "-id"], name="project_recent_id"),
            models.Index(fields=["is_published", "-updated_at", "-id"], name="project_published_recent_id"),
            models.Index(fields=["title", "id"], name="project_title_id"),
            models.Index(fields=["stage", "-updated_at", "-id"], name="project_stage_recent_id"),
            models.Index(fields=["structure", "title", "id"], name="project_structure_title_id"),
            models.Index(fields=["created_at"], name="project_created"),
        ]

    def __str__(self) -> str:
        return self.title


class StageChange(models.Model):
    """One move of a project along the pipeline: from, to, who, when and a note."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(_("étape de départ"), max_length=20, choices=Stage.choices, blank=True)
    to_stage = models.CharField(_("nouvelle étape"), max_length=20, choices=Stage.choices)
    changed_at = models.DateTimeField(_("date"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("par"),
    )
    note = models.TextField(_("note"), blank=True)
    history = AuditTrail()

    class Meta:
        verbose_name = _("changement d'étape")
        verbose_name_plural = _("changements d'étape")
        ordering = ["project", "changed_at"]
        constraints = [
            choices_constraint("from_stage", Stage, "stagechange_from_valid", allow_blank=True),
            choices_constraint("to_stage", Stage, "stagechange_to_valid"),
            models.CheckConstraint(condition=~Q(from_stage=F("to_stage")), name="stagechange_changes_stage"),
        ]
        indexes = [models.Index(fields=["project", "-changed_at"], name="stagechange_latest")]

    def __str__(self) -> str:
        return f"{self.project} : {self.get_from_stage_display() or '—'} → {self.get_to_stage_display()}"


class HolderAssignment(models.Model):
    """The project holder ("porteur de projet") assigned on a date; the latest one is the current holder.
    The idea exists before anyone carries it, so a project may have none."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="holder_assignments")
    holder_name = models.CharField(_("porteur de projet"), max_length=200)
    holder_organisation = models.CharField(_("structure porteuse du projet"), max_length=200, blank=True)
    assigned_on = models.DateField(_("désigné le"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("note"), blank=True)
    created_at = models.DateTimeField(_("enregistré le"), auto_now_add=True)
    history = AuditTrail()

    class Meta:
        verbose_name = _("désignation du porteur")
        verbose_name_plural = _("désignations de porteurs")
        ordering = ["project", "assigned_on", "created_at"]
        indexes = [models.Index(fields=["project", "-assigned_on"], name="holder_latest")]

    def __str__(self) -> str:
        return f"{self.holder_name} ({self.assigned_on:%d/%m/%Y})"


class IndicatorKind(models.TextChoices):
    JOBS_FTE = "jobs_fte", _("Emplois créés (ETP)")
    PEOPLE_REACHED = "people_reached", _("Personnes touchées")
    CREATIVITY_SESSIONS = "creativity_sessions", _("Séances de créativité")
    FUNDS_RAISED = "funds_raised", _("Fonds levés (€)")


class Indicator(TimeStampedModel):
    """A dated, typed measure of a project's impact."""

    Kind = IndicatorKind

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="indicators")
    kind = models.CharField(_("indicateur"), max_length=30, choices=Kind.choices)
    value = models.DecimalField(
        _("valeur"), max_digits=12, decimal_places=2, validators=[MinValueValidator(0)]
    )
    measured_on = models.DateField(_("date de mesure"))
    note = models.CharField(_("note"), max_length=300, blank=True)
    history = AuditTrail()

    class Meta:
        verbose_name = _("indicateur")
        verbose_name_plural = _("indicateurs")
        ordering = ["project", "kind", "measured_on"]
        constraints = [
            choices_constraint("kind", IndicatorKind, "indicator_kind_valid"),
            models.CheckConstraint(condition=Q(value__gte=0), name="indicator_value_positive"),
            models.UniqueConstraint(fields=["project", "kind", "measured_on"], name="indicator_one_per_day"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} : {self.value} ({self.measured_on:%d/%m/%Y})"


class DocumentKind(models.TextChoices):
    STUDY = "study", _("Étude d'opportunité")
    REPORT = "report", _("Compte rendu")
    PHOTO = "photo", _("Photo")
    OTHER = "other", _("Autre")


class Document(TimeStampedModel):
    """A file attached to a project; served only through permission-checked views."""

    Kind = DocumentKind

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="documents")
    title = models.CharField(_("titre"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.OTHER)
    file = models.FileField(_("fichier"), upload_to="projects/documents/%Y/")
    content_type = models.CharField(_("type de contenu"), max_length=100)
    size = models.PositiveIntegerField(_("taille (octets)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = AuditTrail()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["project", "-created_at"]
        constraints = [choices_constraint("kind", DocumentKind, "document_kind_valid")]

    def __str__(self) -> str:
        return self.title


class FicheStatus(models.TextChoices):
    PENDING = "pending", _("En préparation")
    READY = "ready", _("Prête")
    FAILED = "failed", _("Échec")


class ProjectFiche(models.Model):
    """The project's PDF fiche, built in the background; `content_hash` says which data it shows, so a
    build whose data has not changed does nothing."""

    Status = FicheStatus

    project = models.OneToOneField(Project, on_delete=models.CASCADE, related_name="fiche")
    file = models.FileField(_("fichier"), upload_to="fiches/", blank=True)
    status = models.CharField(_("statut"), max_length=20, choices=Status.choices, default=Status.PENDING)
    content_hash = models.CharField(_("empreinte du contenu"), max_length=64, blank=True)
    built_at = models.DateTimeField(_("générée le"), null=True, blank=True)
    error = models.TextField(_("erreur"), blank=True)
    attempts = models.PositiveSmallIntegerField(_("tentatives"), default=0)

    class Meta:
        verbose_name = _("fiche projet")
        verbose_name_plural = _("fiches projet")
        constraints = [choices_constraint("status", FicheStatus, "projectfiche_status_valid")]

    def __str__(self) -> str:
        return f"{self.project} ({self.get_status_display()})"
