"""Settings of the directory benchmark only: the site's settings (run with FABRIQUE_ENV=production, so DEBUG
off), plus a bare view as the floor of the stack (benchmarks/bench_urls.py). Nothing here is used by the
platform itself."""

from django.core.exceptions import ImproperlyConfigured

from fabrique.settings import *  # noqa: F403  (the site's settings, unchanged but for the URLconf)
from fabrique.settings import DATABASES, DEBUG, REDIS_URL

# The figures only mean something on the production stack: PostgreSQL, the Redis cache, DEBUG off.
if DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
    raise ImproperlyConfigured("Le banc d'essai demande PostgreSQL (DATABASE_URL=postgres://…).")
if not REDIS_URL:
    raise ImproperlyConfigured("Le banc d'essai demande le cache Redis (REDIS_URL=redis://…).")
if DEBUG:
    raise ImproperlyConfigured("Le banc d'essai se mesure avec DEBUG désactivé.")

ROOT_URLCONF = "benchmarks.bench_urls"
