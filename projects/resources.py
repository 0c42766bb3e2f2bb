"""Spreadsheet import and export (CSV, XLSX) of emergent projects, matched by slug; structure, territory,
programme and partners by slug or name (written as slugs); the stage as its French label (« Inventer ») or
code.

The pipeline owns a project's stage: a new row may give its stage, an existing row may not change it
(moves go through the project services, which check them and keep the history)."""

from typing import Any

from django.utils import timezone
from import_export import fields

from network.models import Structure, Territory
from network.resources import KeyListWidget, KeyWidget, NaturalKeyResource
from programmes.models import Partner, Programme
from projects.models import Project


class ProjectResource(NaturalKeyResource):
    structure = fields.Field(
        attribute="structure", column_name="Structure", widget=KeyWidget(Structure, field="slug")
    )
    territory = fields.Field(
        attribute="territory", column_name="Territoire", widget=KeyWidget(Territory, field="slug")
    )
    programme = fields.Field(
        attribute="programme", column_name="Programme", widget=KeyWidget(Programme, field="slug")
    )
    partners = fields.Field(
        attribute="partners", column_name="Partenaires", widget=KeyListWidget(Partner, field="slug")
    )

    headers = {
        "title": "Titre",
        "slug": "Slug",
        "sector": "Secteur",
        "stage": "Étape",
        "need": "Besoin détecté",
        "solution": "Solution",
        "study_started_on": "Début de l'étude",
        "study_completed_on": "Fin de l'étude",
        "study_summary": "Synthèse de l'étude",
        "study_conclusion": "Conclusion de l'étude",
        "started_on": "Date de démarrage",
        "abandon_reason": "Motif d'abandon",
        "key_lessons": "Enseignements clés",
        "is_published": "Publié",
    }
    creation_only = ("stage",)
    export_related = ("structure", "territory", "programme")
    export_prefetched = ("partners",)

    class Meta:
        model = Project
        fields = (
            "title",
            "slug",
            "structure",
            "territory",
            "programme",
            "sector",
            "stage",
            "need",
            "solution",
            "study_started_on",
            "study_completed_on",
            "study_summary",
            "study_conclusion",
            "started_on",
            "abandon_reason",
            "key_lessons",
            "partners",
            "is_published",
        )

    def after_init_instance(self, instance: Project, new: bool, row: dict, **kwargs: Any) -> None:
        if new:
            # Set before validation, which requires it: a new project enters its stage now.
            instance.stage_changed_at = timezone.now()
            user = kwargs.get("user")
            if user is not None and user.is_authenticated:
                instance.created_by = user

    def import_instance(self, instance: Project, row: dict, **kwargs: Any) -> None:
        try:
            super().import_instance(instance, row, **kwargs)
        finally:
            # A published project has a publication date (a check constraint); keep the first one.
            if instance.is_published and instance.published_at is None:
                instance.published_at = timezone.now()
