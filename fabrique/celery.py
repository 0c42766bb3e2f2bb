import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fabrique.settings")

app = Celery("fabrique")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
# Tasks outside an app's own tasks.py module: the spreadsheet imports.
app.autodiscover_tasks(["fabrique.spreadsheets"])
