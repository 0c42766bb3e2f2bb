"""Demo data for the platform: the real names of the source texts (seeds) plus deterministic synthetic
projects, loaded by `python manage.py load_demo`."""
