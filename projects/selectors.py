"""Read functions of the projects app. Each runs a known, small number of queries."""

from typing import NamedTuple

from django.db.models import Count

from projects.models import Project


class StageCount(NamedTuple):
    stage: str
    label: str
    count: int


def project_counts_by_stage() -> list[StageCount]:
    """Projects per pipeline stage, every stage in the method's order (zero included).

    Counts cover all projects, published or not: an aggregate number reveals no project. One query."""
    counts = dict(Project.objects.order_by().values_list("stage").annotate(count=Count("id")))
    return [
        StageCount(stage=stage.value, label=str(stage.label), count=counts.get(stage.value, 0))
        for stage in Project.Stage
    ]
