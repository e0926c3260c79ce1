"""WSGI entry point: gunicorn serves HTTP in production (faster than an ASGI server for views)."""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings")
application = get_wsgi_application()
