"""`manage.py telegram_webhook [--bot NAME] [--delete]`: register (or remove) bots' webhooks."""

from django.core.management.base import BaseCommand, CommandError

from channels_in.base import SendError
from channels_in.telegram.models import TelegramBot
from channels_in.telegram.registration import delete_webhook, register_webhook


class Command(BaseCommand):
    help = "Tell Telegram to deliver updates to PUBLIC_URL/hooks/telegram/<bot id>/ (all active bots by default)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--bot", help="Only this bot (its name in the admin; 'environment' for TELEGRAM_BOT_TOKEN)."
        )
        parser.add_argument("--delete", action="store_true", help="Remove the webhook instead.")

    def handle(self, *args, bot: str | None = None, delete: bool = False, **options) -> None:
        for each in _bots(bot):
            try:
                if delete:
                    delete_webhook(each)
                    self.stdout.write(f"{each}: webhook deleted.")
                else:
                    if not each.webhook_secret:
                        raise CommandError(f"{each}: no webhook secret; set TELEGRAM_WEBHOOK_SECRET.")
                    url = register_webhook(each)
                    self.stdout.write(f"{each}: webhook set to {url}")
            except SendError as exc:
                raise CommandError(f"{each}: {exc}") from exc


def _bots(name: str | None) -> list[TelegramBot]:
    env_bot = TelegramBot.from_environment()
    if name:
        found = TelegramBot.objects.filter(name=name).first() or (env_bot if name == "environment" else None)
        if found is None:
            raise CommandError(f"No Telegram bot named {name!r}.")
        return [found]
    bots = list(TelegramBot.objects.filter(active=True)) or ([env_bot] if env_bot else [])
    if not bots:
        raise CommandError("No Telegram bot: add one in the admin or set TELEGRAM_BOT_TOKEN.")
    return bots
