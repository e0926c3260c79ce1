"""Send agent replies as e-mail through Django's mail backend (SMTP in production)."""

import smtplib

from django.conf import settings
from django.core.mail import EmailMultiAlternatives, get_connection
from django.utils.html import linebreaks

from channels_in.base import OutboundSender, SendError
from channels_in.email.models import Mailbox, Security


def message_id_for(message) -> str:
    """Stable per message, so a resend after a crash is recognisably the same mail."""
    domain = settings.DEFAULT_FROM_EMAIL.rsplit("@", 1)[-1].strip("> ") or "helpdesk.local"
    return f"<helpdesk-{message.ticket_id}-{message.pk}@{domain}>"


class EmailSender(OutboundSender):
    """Multipart text+HTML mail that threads in the customer's mail client (RFC 5322 ids)."""

    def send(self, message) -> str:
        ticket = message.ticket
        message_id = message_id_for(message)
        headers = {"Message-ID": message_id}
        # Newest first: what the customer sent last is what this answers.
        thread = list(
            ticket.messages.filter(channel="email", external_id__isnull=False)
            .exclude(pk=message.pk)
            .order_by("-created_at", "-id")
            .values_list("external_id", "direction")[:20]
        )
        if thread:
            headers["In-Reply-To"] = next((eid for eid, way in thread if way == "in"), thread[0][0])
            headers["References"] = " ".join(reversed([eid for eid, _ in thread]))
        cc: list[str] = []
        if message.automatic:
            # RFC 3834: other robots must not answer this; Exchange reads the second header.
            headers["Auto-Submitted"] = "auto-replied"
            headers["X-Auto-Response-Suppress"] = "All"
        else:
            cc = sorted(
                {
                    address
                    for address in ticket.cc.filter(identities__kind="email").values_list(
                        "identities__address", flat=True
                    )
                    if address != message.address
                }
            )
        subject = ticket.subject or "Your request"
        mailbox = _mailbox(message.channel_address)
        mail = EmailMultiAlternatives(
            subject=f"Re: {subject} [#{ticket.number}]",
            body=message.body_text,
            from_email=mailbox.from_header if mailbox else None,
            to=[message.address],
            cc=cc,
            headers=headers,
            connection=_connection(mailbox) if mailbox and mailbox.smtp_host else None,
        )
        mail.attach_alternative(linebreaks(message.body_text, autoescape=True), "text/html")
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


def _mailbox(address: str) -> Mailbox | None:
    """The mailbox the customer wrote to: the reply leaves from it, so it threads and passes SPF."""
    return Mailbox.objects.filter(address__iexact=address).first() if address else None


def _connection(mailbox: Mailbox):
    return get_connection(
        "django.core.mail.backends.smtp.EmailBackend",
        host=mailbox.smtp_host,
        port=mailbox.smtp_port,
        username=mailbox.smtp_username or mailbox.username,
        password=mailbox.smtp_password or mailbox.password,
        use_tls=mailbox.smtp_security == Security.STARTTLS,
        use_ssl=mailbox.smtp_security == Security.SSL,
        timeout=settings.EMAIL_TIMEOUT,
    )
