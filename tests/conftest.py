"""Shared fixtures: one user per role, with the seeds' names."""

import pytest

from network.models import Structure
from tests import factories


@pytest.fixture
def staff(db):
    return factories.StaffFactory(email="avise@example.org")


@pytest.fixture
def tag22(db):
    return factories.StructureFactory(name="TAg22", slug="tag22", phase=Structure.Phase.EXPERIMENTATION)


@pytest.fixture
def atis(db):
    return factories.StructureFactory(name="ATIS", slug="atis", labelled=True)


@pytest.fixture
def coordinator(tag22):
    """Coordinator of TAg22 (the owner of TAg22's projects)."""
    return factories.CoordinatorFactory(user__email="coordination@tag22.example.org", structure=tag22).user


@pytest.fixture
def outsider(atis):
    """Coordinator of another structure (ATIS, labelled): may sit on committees, owns nothing of TAg22."""
    return factories.CoordinatorFactory(user__email="coordination@atis.example.org", structure=atis).user


@pytest.fixture
def partner_user(db):
    """A member of Fondation PSA (read-only on the programmes it funds)."""
    membership = factories.PartnerMemberFactory(
        user__email="partenaire@fondation-psa.example.org",
        partner__name="Fondation PSA",
        partner__slug="fondation-psa",
    )
    return membership.user
