"""`manage.py smtp_server`: receive customer mail over SMTP (see channels_in/email/smtpd.py)."""

import signal
import threading

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from channels_in.email.smtpd import make_controller


class Command(BaseCommand):
    help = "Run the inbound SMTP server for the addresses in INBOUND_EMAIL_ADDRESSES until stopped."

    def add_arguments(self, parser):
        parser.add_argument("--host", default=settings.SMTP_SERVER_HOST, help="default: SMTP_SERVER_HOST")
        parser.add_argument("--port", type=int, default=settings.SMTP_SERVER_PORT, help="default: SMTP_SERVER_PORT")

    def handle(self, *args, host: str, port: int, **options) -> None:
        if not settings.INBOUND_EMAIL_ADDRESSES:
            raise CommandError("Set INBOUND_EMAIL_ADDRESSES (e.g. support@example.com): no mail would be accepted.")
        stop = threading.Event()
        # docker stop sends SIGTERM, and a process that is PID 1 ignores it unless it has a handler.
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        controller = make_controller(host=host, port=port)
        controller.start()
        addresses = ", ".join(settings.INBOUND_EMAIL_ADDRESSES)
        self.stdout.write(f"SMTP server on {host}:{port} accepting mail for {addresses}; Ctrl-C to stop.")
        try:
            stop.wait()
        finally:
            controller.stop()
        self.stdout.write("SMTP server stopped.")
