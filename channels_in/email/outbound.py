"""Send agent replies as e-mail through Django's mail backend (SMTP in production)."""

import smtplib

from django.conf import settings
from django.core.mail import EmailMessage

from channels_in.base import OutboundSender, SendError


def message_id_for(message) -> str:
    """Stable per message, so a resend after a crash is recognisably the same mail."""
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "helpdesk.local"
    return f"<helpdesk-{message.ticket_id}-{message.pk}@{domain}>"


class EmailSender(OutboundSender):
    def send(self, message) -> str:
        ticket = message.ticket
        message_id = message_id_for(message)
        headers = {"Message-ID": message_id}
        thread = list(
            ticket.messages.filter(channel="email", external_id__isnull=False)
            .exclude(pk=message.pk)
            .order_by("-created_at")
            .values_list("external_id", flat=True)[:10]
        )
        if thread:
            headers["In-Reply-To"] = thread[0]
            headers["References"] = " ".join(reversed(thread))
        subject = ticket.subject or "Your request"
        mail = EmailMessage(
            subject=f"Re: {subject} [#{ticket.number}]",
            body=message.body_text,
            to=[message.address],
            headers=headers,
        )
        for attachment in message.attachments.exclude(file=""):
            with attachment.file.open("rb") as fh:
                mail.attach(attachment.filename, fh.read(), attachment.content_type)
        try:
            mail.send()
        except smtplib.SMTPRecipientsRefused as exc:
            raise SendError(f"The mail server refused {message.address}: {exc.recipients}", permanent=True) from exc
        except smtplib.SMTPResponseException as exc:
            raise SendError(f"SMTP error {exc.smtp_code}: {exc.smtp_error!r}", permanent=exc.smtp_code >= 500) from exc
        except (smtplib.SMTPException, OSError) as exc:
            raise SendError(f"Could not reach the mail server: {exc}", permanent=False) from exc
        return message_id
