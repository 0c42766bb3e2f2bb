"""The network: reference geography, territories, member structures, their appellation path and the
peer committees that grant the appellation."""

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from fabrique.audit import AuditTrail
from fabrique.models import Country, TimeStampedModel, choices_constraint

# 01–19, 21–95 (no 20: Corsica is 2A and 2B), and the overseas 971–974 and 976.
DEPARTEMENT_CODE_VALIDATOR = RegexValidator(
    r"^(0[1-9]|1[0-9]|2[1-9]|2A|2B|[3-8][0-9]|9[0-5]|97[1-46])$", _("Code INSEE de département inconnu.")
)


class Region(models.Model):
    """A French région, from the official geographic code (INSEE). Loaded by a data migration."""

    code = models.CharField(_("code INSEE"), max_length=2, unique=True)
    name = models.CharField(_("nom"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    history = AuditTrail()

    class Meta:
        verbose_name = _("région")
        verbose_name_plural = _("régions")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Departement(models.Model):
    """A French département (01–95, 2A, 2B, 971–976). Loaded by a data migration."""

    code = models.CharField(
        _("code INSEE"),
        max_length=3,
        unique=True,
        validators=[DEPARTEMENT_CODE_VALIDATOR],
    )
    name = models.CharField(_("nom"), max_length=100)
    slug = models.SlugField(_("slug"), max_length=100, unique=True)
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="departements", verbose_name=_("région")
    )
    history = AuditTrail()

    class Meta:
        verbose_name = _("département")
        verbose_name_plural = _("départements")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class TerritoryKind(models.TextChoices):
    REGION = "region", _("Région")
    DEPARTEMENT = "departement", _("Département")
    INTERCOMMUNALITE = "intercommunalite", _("Intercommunalité / métropole")
    PAYS = "pays", _("Pays")
    COMMUNE = "commune", _("Commune")
    QPV = "qpv", _("Quartier prioritaire (QPV)")
    RURAL = "rural", _("Territoire rural")


class Territory(TimeStampedModel):
    """Where a Fabrique acts: a région, a département, an intercommunality, a "pays", a commune, a
    priority neighbourhood (QPV) or a rural area, in France or, for the partnerships, in Québec."""

    Kind = TerritoryKind
    Country = Country

    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, db_index=True)
    country = models.CharField(_("pays"), max_length=2, choices=Country.choices, default=Country.FRANCE)
    departements = models.ManyToManyField(
        Departement, related_name="territories", blank=True, verbose_name=_("départements")
    )
    qpv_code = models.CharField(
        _("code QPV"),
        max_length=10,
        blank=True,
        validators=[
            RegexValidator(r"^Q[NP][0-9]{6}[0-9A-Z]?$", _("Un code QPV ressemble à QN06701M ou QP067001."))
        ],
        help_text=_("Code du quartier prioritaire, pour les territoires de type QPV seulement."),
    )
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=8,
        decimal_places=5,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    history = AuditTrail()

    class Meta:
        verbose_name = _("territoire")
        verbose_name_plural = _("territoires")
        ordering = ["name"]
        constraints = [
            choices_constraint("kind", TerritoryKind, "territory_kind_valid"),
            choices_constraint("country", Country, "territory_country_valid"),
            models.CheckConstraint(
                condition=Q(qpv_code="") | Q(kind="qpv"), name="territory_qpv_code_only_for_qpv"
            ),
            models.CheckConstraint(
                condition=Q(latitude__isnull=True, longitude__isnull=True)
                | Q(
                    latitude__isnull=False,
                    longitude__isnull=False,
                    latitude__gte=-90,
                    latitude__lte=90,
                    longitude__gte=-180,
                    longitude__lte=180,
                ),
                name="territory_point_complete_and_valid",
            ),
            models.UniqueConstraint(
                fields=["qpv_code"], condition=~Q(qpv_code=""), name="territory_qpv_code_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class StructureLegalForm(models.TextChoices):
    ASSOCIATION = "association", _("Association")
    SCIC = "scic", _("SCIC")
    SCOP = "scop", _("SCOP")
    CAE = "cae", _("Coopérative d'activité et d'emploi")
    FRANCE_ACTIVE = "france_active", _("Association territoriale France Active")
    GIP = "gip", _("Groupement d'intérêt public")
    OTHER = "other", _("Autre")


class StructurePhase(models.TextChoices):
    CANDIDATE = "candidate", _("Candidate")
    EXPERIMENTATION = "experimentation", _("Expérimentation")
    APPLICATION = "application", _("Demande d'appellation en cours")
    LABELLED = "labelled", _("Appellation")
    SUSPENDED = "suspended", _("Suspendue")
    WITHDRAWN = "withdrawn", _("Retirée")


class Structure(TimeStampedModel):
    """A member structure ("structure porteuse") that runs a Fabrique à initiatives on its territories."""

    LegalForm = StructureLegalForm
    Phase = StructurePhase

    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    legal_form = models.CharField(_("forme juridique"), max_length=20, choices=LegalForm.choices)
    phase = models.CharField(
        _("phase"), max_length=20, choices=Phase.choices, default=Phase.CANDIDATE, db_index=True
    )
    phase_since = models.DateField(_("phase depuis le"))
    joined_on = models.DateField(_("entrée dans le réseau"), null=True, blank=True)
    labelled_on = models.DateField(_("date d'appellation"), null=True, blank=True)
    territories = models.ManyToManyField(
        Territory, related_name="structures", blank=True, verbose_name=_("territoires d'action")
    )
    departement = models.ForeignKey(
        Departement,
        on_delete=models.PROTECT,
        related_name="structures",
        null=True,
        blank=True,
        verbose_name=_("département du siège"),
    )
    city = models.CharField(_("ville"), max_length=100, blank=True)
    description = models.TextField(_("présentation"), blank=True)
    website = models.URLField(_("site web"), blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    history = AuditTrail()

    class Meta:
        verbose_name = _("structure")
        verbose_name_plural = _("structures")
        ordering = ["name"]
        constraints = [
            choices_constraint("legal_form", StructureLegalForm, "structure_legal_form_valid"),
            choices_constraint("phase", StructurePhase, "structure_phase_valid"),
            models.CheckConstraint(
                condition=~Q(phase="labelled") | Q(labelled_on__isnull=False),
                name="structure_labelled_has_date",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class PhaseChange(models.Model):
    """One step of a structure's appellation path: from, to, who, when and why."""

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="phase_changes")
    from_phase = models.CharField(
        _("phase de départ"), max_length=20, choices=Structure.Phase.choices, blank=True
    )
    to_phase = models.CharField(_("nouvelle phase"), max_length=20, choices=Structure.Phase.choices)
    changed_on = models.DateField(_("date"))
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("par"),
    )
    reason = models.TextField(_("motif"), blank=True)
    created_at = models.DateTimeField(_("enregistré le"), auto_now_add=True)
    history = AuditTrail()

    class Meta:
        verbose_name = _("changement de phase")
        verbose_name_plural = _("changements de phase")
        ordering = ["structure", "changed_on", "created_at"]
        constraints = [
            choices_constraint("from_phase", Structure.Phase, "phasechange_from_valid", allow_blank=True),
            choices_constraint("to_phase", Structure.Phase, "phasechange_to_valid"),
            models.CheckConstraint(
                condition=~Q(from_phase=models.F("to_phase")), name="phasechange_changes_phase"
            ),
        ]
        indexes = [models.Index(fields=["structure", "-changed_on"], name="phasechange_latest")]

    def __str__(self) -> str:
        return f"{self.structure} : {self.get_from_phase_display() or '—'} → {self.get_to_phase_display()}"


class Contact(TimeStampedModel):
    """A person to contact at a structure (not necessarily a user of the platform)."""

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("nom"), max_length=200)
    role = models.CharField(_("fonction"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("téléphone"), max_length=30, blank=True)
    history = AuditTrail()

    class Meta:
        verbose_name = _("contact")
        verbose_name_plural = _("contacts")
        ordering = ["structure", "name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.structure})"


class Coordinator(TimeStampedModel):
    """A user who coordinates the Fabrique of a structure ("chargé·e de mission")."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="coordinations",
        verbose_name=_("utilisateur"),
    )
    structure = models.ForeignKey(
        Structure, on_delete=models.CASCADE, related_name="coordinators", verbose_name=_("structure")
    )
    title = models.CharField(_("fonction"), max_length=200, blank=True)
    history = AuditTrail()

    class Meta:
        verbose_name = _("coordinateur·rice")
        verbose_name_plural = _("coordinateurs·rices")
        ordering = ["structure", "user"]
        constraints = [models.UniqueConstraint(fields=["user", "structure"], name="coordinator_unique")]

    def __str__(self) -> str:
        return f"{self.user} — {self.structure}"


class PeerCommitteeStatus(models.TextChoices):
    PLANNED = "planned", _("Prévu")
    HELD = "held", _("Tenu")
    CANCELLED = "cancelled", _("Annulé")


class PeerCommittee(TimeStampedModel):
    """A dated session of the peer committee that decides on appellation applications."""

    Status = PeerCommitteeStatus

    held_on = models.DateField(_("date de la séance"), db_index=True)
    place = models.CharField(_("lieu"), max_length=200, blank=True)
    video_url = models.URLField(_("lien de visioconférence"), blank=True)
    status = models.CharField(_("statut"), max_length=20, choices=Status.choices, default=Status.PLANNED)
    notes = models.TextField(_("notes"), blank=True)
    members = models.ManyToManyField(
        Structure, through="CommitteeMember", related_name="committee_seats", verbose_name=_("membres")
    )
    history = AuditTrail()

    class Meta:
        verbose_name = _("comité de pairs")
        verbose_name_plural = _("comités de pairs")
        ordering = ["-held_on"]
        constraints = [
            choices_constraint("status", PeerCommitteeStatus, "committee_status_valid"),
            models.CheckConstraint(condition=~Q(place="", video_url=""), name="committee_has_place_or_link"),
        ]

    def __str__(self) -> str:
        return _("Comité de pairs du %(date)s") % {"date": f"{self.held_on:%d/%m/%Y}"}


class CommitteeMember(models.Model):
    """A labelled structure sitting on a committee session (checked by the appellation services)."""

    committee = models.ForeignKey(PeerCommittee, on_delete=models.CASCADE, related_name="seats")
    structure = models.ForeignKey(Structure, on_delete=models.PROTECT, related_name="seats")
    added_at = models.DateTimeField(_("ajouté le"), auto_now_add=True)
    history = AuditTrail()

    class Meta:
        verbose_name = _("membre du comité")
        verbose_name_plural = _("membres du comité")
        constraints = [
            models.UniqueConstraint(fields=["committee", "structure"], name="committee_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.structure} — {self.committee}"


class AppellationApplicationStatus(models.TextChoices):
    DRAFT = "draft", _("En préparation")
    SUBMITTED = "submitted", _("Déposée")
    DECIDED = "decided", _("Décidée")


class AppellationApplicationDecision(models.TextChoices):
    GRANTED = "granted", _("Appellation accordée")
    DEFERRED = "deferred", _("Ajournée")
    REFUSED = "refused", _("Refusée")


class LetterStatus(models.TextChoices):
    PENDING = "pending", _("En préparation")
    READY = "ready", _("Prête")
    FAILED = "failed", _("Échec")


class AppellationApplication(TimeStampedModel):
    """A structure's application for the appellation, its dossier and the committee's decision."""

    Status = AppellationApplicationStatus
    Decision = AppellationApplicationDecision

    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="applications")
    committee = models.ForeignKey(
        PeerCommittee,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="applications",
        verbose_name=_("comité de pairs"),
    )
    status = models.CharField(_("statut"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    territorial_anchoring = models.TextField(_("ancrage territorial"), blank=True)
    partnerships = models.TextField(_("partenariats"), blank=True)
    know_how = models.TextField(_("savoir-faire"), blank=True)
    outlook = models.TextField(_("perspectives"), blank=True)
    submitted_at = models.DateTimeField(_("déposée le"), null=True, blank=True)
    decision = models.CharField(_("décision"), max_length=20, choices=Decision.choices, blank=True)
    decided_on = models.DateField(_("date de la décision"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("décision enregistrée par"),
    )
    recommendations = models.TextField(_("recommandations"), blank=True)
    letter = models.FileField(_("lettre de décision"), upload_to="appellation/lettres/", blank=True)
    letter_status = models.CharField(
        _("statut de la lettre"), max_length=20, choices=LetterStatus.choices, blank=True
    )
    letter_error = models.TextField(_("erreur de la lettre"), blank=True)
    history = AuditTrail()

    class Meta:
        verbose_name = _("demande d'appellation")
        verbose_name_plural = _("demandes d'appellation")
        ordering = ["-created_at"]
        constraints = [
            choices_constraint("status", AppellationApplicationStatus, "application_status_valid"),
            choices_constraint(
                "decision", AppellationApplicationDecision, "application_decision_valid", allow_blank=True
            ),
            models.CheckConstraint(
                condition=(Q(status="decided") & ~Q(decision="") & Q(decided_on__isnull=False))
                | (~Q(status="decided") & Q(decision="")),
                name="application_decision_iff_decided",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="application_submitted_has_date",
            ),
            models.UniqueConstraint(
                fields=["structure"],
                condition=~Q(status="decided"),
                name="application_one_open_per_structure",
            ),
            choices_constraint(
                "letter_status", LetterStatus, "application_letter_status_valid", allow_blank=True
            ),
        ]

    def __str__(self) -> str:
        return _("Demande d'appellation de %(structure)s") % {"structure": self.structure}


class ApplicationDocument(TimeStampedModel):
    """A file of an appellation dossier (activity report, partners' letters…); served only through the
    dossier's permission-checked download view."""

    application = models.ForeignKey(
        AppellationApplication, on_delete=models.CASCADE, related_name="documents", verbose_name=_("demande")
    )
    title = models.CharField(_("titre"), max_length=200)
    file = models.FileField(_("fichier"), upload_to="appellation/dossiers/%Y/")
    content_type = models.CharField(_("type de contenu"), max_length=100)
    size = models.PositiveIntegerField(_("taille (octets)"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    history = AuditTrail()

    class Meta:
        verbose_name = _("document du dossier d'appellation")
        verbose_name_plural = _("documents des dossiers d'appellation")
        ordering = ["application", "created_at"]

    def __str__(self) -> str:
        return self.title


class OpinionVerdict(models.TextChoices):
    FAVOURABLE = "favourable", _("Favorable")
    RESERVATIONS = "reservations", _("Favorable avec réserves")
    UNFAVOURABLE = "unfavourable", _("Défavorable")


class Opinion(TimeStampedModel):
    """A committee member's opinion on an application, given before the session."""

    Verdict = OpinionVerdict

    application = models.ForeignKey(AppellationApplication, on_delete=models.CASCADE, related_name="opinions")
    member = models.ForeignKey(Structure, on_delete=models.PROTECT, related_name="opinions_given")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verdict = models.CharField(_("avis"), max_length=20, choices=Verdict.choices)
    comment = models.TextField(_("commentaire"), blank=True)
    history = AuditTrail()

    class Meta:
        verbose_name = _("avis de membre")
        verbose_name_plural = _("avis de membres")
        constraints = [
            choices_constraint("verdict", OpinionVerdict, "opinion_verdict_valid"),
            models.UniqueConstraint(fields=["application", "member"], name="opinion_one_per_member"),
        ]

    def __str__(self) -> str:
        return f"{self.member} : {self.get_verdict_display()}"


class ConflictOfInterest(TimeStampedModel):
    """A structure declared in conflict with an applicant: never proposed for that application's committee."""

    application = models.ForeignKey(
        AppellationApplication, on_delete=models.CASCADE, related_name="conflicts"
    )
    structure = models.ForeignKey(Structure, on_delete=models.CASCADE, related_name="conflicts_declared")
    reason = models.TextField(_("motif"))
    history = AuditTrail()

    class Meta:
        verbose_name = _("conflit d'intérêts")
        verbose_name_plural = _("conflits d'intérêts")
        constraints = [models.UniqueConstraint(fields=["application", "structure"], name="conflict_unique")]

    def __str__(self) -> str:
        return f"{self.structure} / {self.application.structure}"
