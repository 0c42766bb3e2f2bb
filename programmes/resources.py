"""Spreadsheet import and export (CSV, XLSX) of partners and programmes, matched by slug (the columns,
choices and keys are read as network.resources.NaturalKeyResource says).

A programme's partners and their roles (Funding) are edited in the admin, not by spreadsheet: one
partner may hold several roles in a programme, which a single column cannot say."""

from network.resources import NaturalKeyResource
from programmes.models import Partner, Programme


class PartnerResource(NaturalKeyResource):
    headers = {
        "name": "Nom",
        "slug": "Slug",
        "kind": "Type",
        "is_national": "Partenaire national",
        "website": "Site web",
        "description": "Présentation",
    }

    class Meta:
        model = Partner
        fields = ("name", "slug", "kind", "is_national", "website", "description")


class ProgrammeResource(NaturalKeyResource):
    headers = {
        "name": "Nom",
        "slug": "Slug",
        "theme": "Thématique",
        "summary": "Résumé",
        "description": "Description",
        "start_date": "Début",
        "end_date": "Fin",
        "is_published": "Publié",
    }

    class Meta:
        model = Programme
        fields = ("name", "slug", "theme", "summary", "description", "start_date", "end_date", "is_published")
