"""Seeds the fault tests' own database: a coordinator with a signed-in session and one of their projects.

Run by tests/faults/stack.py as `python -m tests.faults.seed` with the stack's DATABASE_URL; prints what the
tests need as JSON. The session is written directly (as `login()` would) rather than through the login
form: these tests are about faults, not accounts, and must not depend on how signing in works.
"""

import json

import django


def main() -> None:
    django.setup()

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    from tests import factories

    coordinator = factories.CoordinatorFactory(
        user__email="coordination@tag22.example.org", structure__name="TAg22", structure__slug="tag22"
    )
    project = factories.ProjectFactory(
        title="Garage solidaire de Saint-Brieuc",
        slug="garage-solidaire-de-saint-brieuc",
        structure=coordinator.structure,
        solution="Un garage associatif qui répare à prix coûtant.",
    )
    user = coordinator.user
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    print(json.dumps({"session": session.session_key, "project_id": project.pk, "slug": project.slug}))


if __name__ == "__main__":
    main()
