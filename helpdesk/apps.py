import os
import sys

from django.apps import AppConfig
from django.conf import settings


class HelpdeskConfig(AppConfig):
    name = "helpdesk"
    verbose_name = "Helpdesk"

    def ready(self) -> None:
        # The embedded default has no beat process: run the schedule inside the dev server
        # (only in the autoreloader's serving child, so it runs once).
        if settings.EMBEDDED_SCHEDULER and "runserver" in sys.argv and os.environ.get("RUN_MAIN") == "true":
            from helpdesk.scheduler import start

            start()
