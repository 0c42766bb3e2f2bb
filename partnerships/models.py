"""Québec–France partnerships, their agreements and missions, and know-how transfers between ESS actors."""

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _

from fabrique.audit import AuditTrail
from fabrique.models import Country, TimeStampedModel, choices_constraint


def exactly_one_of(first: str, second: str, name: str) -> models.CheckConstraint:
    """Either a network structure or an external organisation, never both, never neither."""
    return models.CheckConstraint(
        condition=Q(**{f"{first}__isnull": False, f"{second}__isnull": True})
        | Q(**{f"{first}__isnull": True, f"{second}__isnull": False}),
        name=name,
    )


class OrganisationKind(models.TextChoices):
    NETWORK = "network", _("Réseau")
    INCUBATOR = "incubator", _("Incubateur / pôle")
    ESS_ENTERPRISE = "ess_enterprise", _("Entreprise de l'ESS")
    TERRITORY_COLLECTIVE = "territory_collective", _("Collectif territorial")
    PUBLIC_BODY = "public_body", _("Organisme public")
    EDUCATION = "education", _("Établissement d'enseignement")
    OTHER = "other", _("Autre")


class Organisation(TimeStampedModel):
    """An organisation outside the network's member structures: a network, an incubator, an ESS
    enterprise, a territory collective, a public body… on either side of the Atlantic."""

    Kind = OrganisationKind
    Country = Country

    name = models.CharField(_("nom"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    kind = models.CharField(_("type"), max_length=30, choices=Kind.choices, default=Kind.OTHER)
    country = models.CharField(_("pays"), max_length=2, choices=Country.choices, default=Country.FRANCE)
    city = models.CharField(_("ville"), max_length=100, blank=True)
    website = models.URLField(_("site web"), blank=True)
    description = models.TextField(_("présentation"), blank=True)
    history = AuditTrail()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name"]
        constraints = [
            choices_constraint("kind", OrganisationKind, "organisation_kind_valid"),
            choices_constraint("country", Country, "organisation_country_valid"),
        ]

    def __str__(self) -> str:
        return self.name


class Partnership(TimeStampedModel):
    """A partnership between networks or organisations on both sides of the Atlantic."""

    title = models.CharField(_("intitulé"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    summary = models.TextField(_("résumé"), blank=True)
    objectives = models.TextField(_("objectifs"), blank=True)
    start_date = models.DateField(_("début"))
    end_date = models.DateField(_("fin"), null=True, blank=True)
    is_published = models.BooleanField(_("publié"), default=True)
    supporters = models.ManyToManyField(
        "programmes.Partner",
        through="Support",
        related_name="supported_partnerships",
        verbose_name=_("soutiens"),
    )
    history = AuditTrail()

    class Meta:
        verbose_name = _("partenariat international")
        verbose_name_plural = _("partenariats internationaux")
        ordering = ["-start_date"]
        constraints = [
            models.CheckConstraint(
                condition=Q(end_date__isnull=True) | Q(end_date__gte=F("start_date")),
                name="partnership_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Party(models.Model):
    """One party to a partnership, on the French or the Québec side."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="parties")
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="parties")
    side = models.CharField(_("côté"), max_length=2, choices=Country.choices)
    description = models.CharField(_("rôle"), max_length=300, blank=True)
    history = AuditTrail()

    class Meta:
        verbose_name = _("partie au partenariat")
        verbose_name_plural = _("parties au partenariat")
        constraints = [
            choices_constraint("side", Country, "party_side_valid"),
            models.UniqueConstraint(fields=["partnership", "organisation"], name="party_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.organisation} ({self.get_side_display()})"


class Support(models.Model):
    """A supporter of a partnership and the scheme it supports it through (CPCFQ, LOJIQ…)."""

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="supports")
    partner = models.ForeignKey(
        "programmes.Partner", on_delete=models.PROTECT, related_name="partnership_supports"
    )
    scheme = models.CharField(_("dispositif"), max_length=300, blank=True)
    history = AuditTrail()

    class Meta:
        verbose_name = _("soutien")
        verbose_name_plural = _("soutiens")
        constraints = [models.UniqueConstraint(fields=["partnership", "partner"], name="support_unique")]

    def __str__(self) -> str:
        return f"{self.partner} → {self.partnership}"


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("Projet")
    SIGNED = "signed", _("Signée")
    EXPIRED = "expired", _("Expirée")


class Agreement(TimeStampedModel):
    """An agreement ("entente") between parties of a partnership."""

    Status = AgreementStatus

    partnership = models.ForeignKey(Partnership, on_delete=models.CASCADE, related_name="agreements")
    title = models.CharField(_("intitulé"), max_length=200)
    parties = models.ManyToManyField(Organisation, related_name="agreements", verbose_name=_("signataires"))
    status = models.CharField(_("statut"), max_length=20, choices=Status.choices, default=Status.DRAFT)
    signed_on = models.DateField(_("signée le"), null=True, blank=True)
    document = models.FileField(_("document"), upload_to="partnerships/agreements/", blank=True)
    history = AuditTrail()

    class Meta:
        verbose_name = _("entente")
        verbose_name_plural = _("ententes")
        ordering = ["partnership", "-signed_on"]
        constraints = [
            choices_constraint("status", AgreementStatus, "agreement_status_valid"),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(signed_on__isnull=False), name="agreement_signed_has_date"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class MissionKind(models.TextChoices):
    STUDY_TRIP = "study_trip", _("Voyage d'étude")
    DELEGATION = "delegation", _("Délégation")
    LEARNING_VISIT = "learning_visit", _("Visite apprenante")


class MissionDirection(models.TextChoices):
    QC_TO_FR = "qc_to_fr", _("Québec → France")
    FR_TO_QC = "fr_to_qc", _("France → Québec")


class MissionTimeZone(models.TextChoices):
    PARIS = "Europe/Paris", _("Heure de Paris")
    TORONTO = "America/Toronto", _("Heure de Montréal")


class Mission(TimeStampedModel):
    """A study trip, delegation or learning visit across the Atlantic. Times are stored in UTC and
    entered and shown in `timezone` (where the mission takes place)."""

    Kind = MissionKind
    Direction = MissionDirection
    TimeZone = MissionTimeZone

    partnership = models.ForeignKey(
        Partnership,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="missions",
        verbose_name=_("partenariat"),
    )
    title = models.CharField(_("intitulé"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    kind = models.CharField(_("type"), max_length=20, choices=Kind.choices, default=Kind.STUDY_TRIP)
    direction = models.CharField(_("sens"), max_length=10, choices=Direction.choices)
    starts_at = models.DateTimeField(_("début"))
    ends_at = models.DateTimeField(_("fin"))
    timezone = models.CharField(
        _("fuseau horaire"), max_length=40, choices=TimeZone.choices, default=TimeZone.PARIS
    )
    cities = models.CharField(_("villes"), max_length=300, blank=True)
    summary = models.TextField(_("résumé"), blank=True)
    report = models.FileField(_("rapport"), upload_to="partnerships/reports/", blank=True)
    is_published = models.BooleanField(_("publié"), default=True)
    projects = models.ManyToManyField(
        "projects.Project", related_name="missions", blank=True, verbose_name=_("projets concernés")
    )
    history = AuditTrail()

    class Meta:
        verbose_name = _("mission")
        verbose_name_plural = _("missions")
        ordering = ["-starts_at"]
        constraints = [
            choices_constraint("kind", MissionKind, "mission_kind_valid"),
            choices_constraint("direction", MissionDirection, "mission_direction_valid"),
            choices_constraint("timezone", MissionTimeZone, "mission_timezone_valid"),
            models.CheckConstraint(condition=Q(ends_at__gte=F("starts_at")), name="mission_ends_after_start"),
        ]
        indexes = [models.Index(fields=["starts_at"], name="mission_starts")]

    def __str__(self) -> str:
        return self.title


class Visit(models.Model):
    """A place visited during a mission: a member structure, or an external organisation."""

    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="visits")
    structure = models.ForeignKey(
        "network.Structure", on_delete=models.PROTECT, null=True, blank=True, related_name="mission_visits"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="mission_visits"
    )
    city = models.CharField(_("ville"), max_length=100)
    visited_on = models.DateField(_("date"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True)
    history = AuditTrail()

    class Meta:
        verbose_name = _("visite")
        verbose_name_plural = _("visites")
        ordering = ["mission", "visited_on", "city"]
        constraints = [exactly_one_of("structure", "organisation", "visit_structure_xor_organisation")]

    def __str__(self) -> str:
        return f"{self.structure or self.organisation} ({self.city})"


class Participant(models.Model):
    """A person taking part in a mission."""

    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="participants")
    name = models.CharField(_("nom"), max_length=200)
    role = models.CharField(_("fonction"), max_length=200, blank=True)
    structure = models.ForeignKey(
        "network.Structure",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mission_participants",
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="mission_participants"
    )
    history = AuditTrail()

    class Meta:
        verbose_name = _("participant·e")
        verbose_name_plural = _("participant·es")
        ordering = ["mission", "name"]

    def __str__(self) -> str:
        return self.name


class ObjectiveOutcome(models.TextChoices):
    ACHIEVED = "achieved", _("Atteint")
    PARTLY = "partly", _("Partiellement atteint")
    NOT_YET = "not_yet", _("Pas encore atteint")


class Objective(models.Model):
    """An objective of a mission with its outcome."""

    Outcome = ObjectiveOutcome

    mission = models.ForeignKey(Mission, on_delete=models.CASCADE, related_name="objectives")
    text = models.TextField(_("objectif"))
    outcome = models.CharField(_("résultat"), max_length=20, choices=Outcome.choices, default=Outcome.NOT_YET)
    outcome_note = models.TextField(_("note sur le résultat"), blank=True)
    position = models.PositiveSmallIntegerField(_("ordre"), default=0)
    history = AuditTrail()

    class Meta:
        verbose_name = _("objectif")
        verbose_name_plural = _("objectifs")
        ordering = ["mission", "position"]
        constraints = [choices_constraint("outcome", ObjectiveOutcome, "objective_outcome_valid")]

    def __str__(self) -> str:
        return self.text[:80]


class KnowHowTransferTopic(models.TextChoices):
    THIRD_PLACE = "third_place", _("Tiers-lieu")
    FOOD_CHAIN = "food_chain", _("Filière alimentaire")
    LAND_TRUST = "land_trust", _("Foncière solidaire")
    GOVERNANCE = "governance", _("Gouvernance et coopération")
    MOBILITY = "mobility", _("Mobilité")
    OTHER = "other", _("Autre")


class KnowHowTransferFormat(models.TextChoices):
    INDIVIDUAL = "individual", _("Individuel")
    COLLECTIVE = "collective", _("Collectif (visite apprenante)")


class KnowHowTransferStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposé")
    VALIDATED = "validated", _("Validé")


class KnowHowTransfer(TimeStampedModel):
    """A peer-to-peer know-how transfer ("transfert de savoir-faire") from an experienced ESS organisation
    to one beneficiary (individual) or several (collective "visite apprenante")."""

    Topic = KnowHowTransferTopic
    Format = KnowHowTransferFormat
    Status = KnowHowTransferStatus

    title = models.CharField(_("intitulé"), max_length=200)
    slug = models.SlugField(_("slug"), max_length=200, unique=True)
    provider = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        related_name="transfers_provided",
        verbose_name=_("structure apporteuse"),
    )
    topic = models.CharField(_("thème"), max_length=20, choices=Topic.choices)
    format = models.CharField(_("format"), max_length=20, choices=Format.choices, default=Format.INDIVIDUAL)
    status = models.CharField(_("statut"), max_length=20, choices=Status.choices, default=Status.PROPOSED)
    started_on = models.DateField(_("début"))
    ended_on = models.DateField(_("fin"), null=True, blank=True)
    city = models.CharField(_("lieu"), max_length=100, blank=True)
    programme = models.ForeignKey(
        "programmes.Programme",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="transfers",
        verbose_name=_("programme"),
    )
    description = models.TextField(_("description"), blank=True)
    testimonial = models.TextField(_("témoignage"), blank=True)
    outcome = models.TextField(_("résultat"), blank=True)
    is_published = models.BooleanField(_("publié"), default=False)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    projects = models.ManyToManyField(
        "projects.Project", related_name="transfers", blank=True, verbose_name=_("projets concernés")
    )
    history = AuditTrail()

    class Meta:
        verbose_name = _("transfert de savoir-faire")
        verbose_name_plural = _("transferts de savoir-faire")
        ordering = ["-started_on"]
        constraints = [
            choices_constraint("topic", KnowHowTransferTopic, "transfer_topic_valid"),
            choices_constraint("format", KnowHowTransferFormat, "transfer_format_valid"),
            choices_constraint("status", KnowHowTransferStatus, "transfer_status_valid"),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | Q(ended_on__gte=F("started_on")),
                name="transfer_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(is_published=False) | Q(status="validated"),
                name="transfer_published_only_if_validated",
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Beneficiary(models.Model):
    """A beneficiary of a transfer: a member structure, or a territory collective / ESS enterprise."""

    transfer = models.ForeignKey(KnowHowTransfer, on_delete=models.CASCADE, related_name="beneficiaries")
    structure = models.ForeignKey(
        "network.Structure",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="transfers_received",
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="transfers_received"
    )
    history = AuditTrail()

    class Meta:
        verbose_name = _("bénéficiaire")
        verbose_name_plural = _("bénéficiaires")
        constraints = [
            exactly_one_of("structure", "organisation", "beneficiary_structure_xor_organisation"),
            models.UniqueConstraint(
                fields=["transfer", "structure"],
                condition=Q(structure__isnull=False),
                name="beneficiary_structure_once",
            ),
            models.UniqueConstraint(
                fields=["transfer", "organisation"],
                condition=Q(organisation__isnull=False),
                name="beneficiary_organisation_once",
            ),
        ]

    def __str__(self) -> str:
        return str(self.structure or self.organisation)
