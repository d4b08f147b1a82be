"""WSGI entry point: `gunicorn cems.wsgi`."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "cems.settings")

application = get_wsgi_application()
