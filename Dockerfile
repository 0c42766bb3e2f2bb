# The platform's image: the web process (gunicorn) and the Celery worker run from it (docker-compose.yml).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1

# WeasyPrint draws PDFs with Pango and HarfBuzz (libharfbuzz-subset0 makes it 4x faster); gettext compiles
# the translation catalogues.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-dejavu-core gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# Dependencies first: this layer is rebuilt only when the pinned list changes.
COPY requirements/base.txt requirements/base.txt
RUN pip install -r requirements/base.txt

COPY . .
# Static files (hashed names, compressed) and catalogues are built into the image. The settings need a key
# and hosts to load in production mode; these build-time values are never used at run time.
RUN FABRIQUE_ENV=production SECRET_KEY=build-only-not-a-secret ALLOWED_HOSTS=localhost sh -c '\
        python manage.py collectstatic --noinput \
        && if find . -name "*.po" | grep -q .; then python manage.py compilemessages; fi'

RUN useradd --system --create-home --uid 10001 fabrique \
    && mkdir -p /app/media \
    && chown fabrique:fabrique /app/media
USER fabrique

EXPOSE 8000
CMD ["gunicorn", "fabrique.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3", "--timeout", "60", "--access-logfile", "-"]
