"""Loads the 18 régions and 101 départements of the official geographic code (INSEE) shipped with the
project in network/data/geography.json."""

import json
from pathlib import Path

from django.db import migrations

GEOGRAPHY = Path(__file__).resolve().parent.parent / "data" / "geography.json"


def load_geography(apps, schema_editor):
    Region = apps.get_model("network", "Region")
    Departement = apps.get_model("network", "Departement")
    data = json.loads(GEOGRAPHY.read_text(encoding="utf-8"))
    regions = {}
    for row in data["regions"]:
        regions[row["code"]], _ = Region.objects.update_or_create(
            code=row["code"], defaults={"name": row["name"], "slug": row["slug"]}
        )
    for row in data["departements"]:
        Departement.objects.update_or_create(
            code=row["code"],
            defaults={"name": row["name"], "slug": row["slug"], "region": regions[row["region"]]},
        )


class Migration(migrations.Migration):
    dependencies = [("network", "0001_initial")]

    operations = [migrations.RunPython(load_geography, migrations.RunPython.noop)]
