"""Read functions of the network app. Each runs a known, small number of queries."""

from typing import NamedTuple

from django.db.models import Count

from network.models import Structure


class PhaseCount(NamedTuple):
    phase: str
    label: str
    count: int


def structure_counts_by_phase() -> list[PhaseCount]:
    """Structures per appellation phase, in the path's order, phases without structures left out.

    One aggregate query."""
    counts = dict(Structure.objects.order_by().values_list("phase").annotate(count=Count("id")))
    return [
        PhaseCount(phase=phase.value, label=str(phase.label), count=counts[phase.value])
        for phase in Structure.Phase
        if counts.get(phase.value)
    ]
