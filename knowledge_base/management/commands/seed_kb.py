"""Demo help centre: categories, sections and about 18 articles in English, some in German and Danish.

Idempotent: categories and sections are matched by slug, articles by their English title in their
section; what exists is left alone (edits made in the admin survive a second run). Everything goes
through `knowledge_base.services`, so versions and search vectors are built as for real articles.
"""

from django.core.management.base import BaseCommand
from django.db import transaction

from helpdesk.models import User
from knowledge_base import services
from knowledge_base.models import ArticleTranslation, Category, Section, Status

CATEGORIES = [
    (
        "orders",
        "Orders & delivery",
        "Track a parcel, change an order, send something back.",
        {
            "de": {"name": "Bestellungen & Lieferung", "description": "Sendungen verfolgen, Bestellungen ändern."},
            "da": {"name": "Ordrer & levering", "description": "Følg en pakke, ændr en ordre, send noget retur."},
        },
        [
            ("tracking", "Tracking and delivery", {"de": "Sendungsverfolgung", "da": "Sporing og levering"}),
            ("returns", "Returns and damaged items", {"de": "Rücksendungen", "da": "Returnering"}),
        ],
    ),
    (
        "account",
        "Account & sign-in",
        "Passwords, two-factor authentication and your profile.",
        {
            "de": {"name": "Konto & Anmeldung", "description": "Passwörter, Zwei-Faktor-Anmeldung und Profil."},
            "da": {"name": "Konto & login", "description": "Adgangskoder, totrinsbekræftelse og din profil."},
        },
        [
            ("sign-in", "Signing in", {"de": "Anmelden", "da": "Log ind"}),
            ("profile", "Profile and privacy", {"de": "Profil und Datenschutz", "da": "Profil og privatliv"}),
        ],
    ),
    (
        "billing",
        "Billing & payments",
        "Invoices, VAT, refunds and charges.",
        {
            "de": {"name": "Rechnungen & Zahlungen", "description": "Rechnungen, USt., Erstattungen."},
            "da": {"name": "Fakturering & betaling", "description": "Fakturaer, moms og refusioner."},
        },
        [
            ("invoices", "Invoices and VAT", {"de": "Rechnungen und USt.", "da": "Fakturaer og moms"}),
            ("refunds", "Refunds and charges", {"de": "Erstattungen", "da": "Refusioner"}),
        ],
    ),
    (
        "app",
        "The app & plans",
        "Troubleshooting the app and choosing a plan.",
        {
            "de": {"name": "App & Tarife", "description": "Hilfe bei Problemen mit der App, Tarife."},
            "da": {"name": "Appen & abonnementer", "description": "Fejlfinding i appen og valg af abonnement."},
        },
        [
            ("troubleshooting", "Troubleshooting", {"de": "Fehlerbehebung", "da": "Fejlfinding"}),
            ("plans", "Plans and pricing", {"de": "Tarife und Preise", "da": "Abonnementer og priser"}),
        ],
    ),
]

# (section slug, title, summary, Markdown body, tags, internal, status)
ARTICLES = [
    (
        "tracking",
        "Track your order",
        "Where to find your tracking number and what each delivery status means.",
        """As soon as your order leaves our warehouse we send you an e-mail with a **tracking number** and a
link to the carrier's tracking page.

1. Open the shipping confirmation e-mail, or sign in and go to **Orders**.
2. Click **Track parcel** next to the order.
3. The carrier's page shows where the parcel is and the expected delivery date.

| Status | What it means |
|---|---|
| Label created | We packed your order; the carrier has not scanned it yet. |
| In transit | The parcel is on its way. |
| Out for delivery | It arrives today. |

Tracking can take up to **24 hours** to show the first scan.""",
        ["shipping", "tracking"],
        False,
        Status.PUBLISHED,
    ),
    (
        "tracking",
        "My order has not arrived",
        "What to do when the parcel is late or tracking has not moved for days.",
        """Most parcels arrive within 3–5 business days. If yours is late:

- Check the tracking page: the carrier may have left a note or delivered it to a neighbour or a parcel shop.
- If tracking has **not moved for 5 business days**, contact us with your order number and we open an
  investigation with the carrier.
- If the parcel is confirmed lost, we send a replacement or refund you in full, whichever you prefer.

You never pay twice for a lost parcel.""",
        ["shipping", "delivery", "late"],
        False,
        Status.PUBLISHED,
    ),
    (
        "tracking",
        "Change the delivery address of an order",
        "You can change the address until the order is packed.",
        """You can change the delivery address **until the order is packed** (status *Processing*).

1. Sign in and open **Orders**.
2. Choose the order and click **Change address**.
3. Enter the new address and save.

Once the status is *Shipped* the address cannot be changed by us, but most carriers let you redirect the
parcel from their tracking page. Moving house? Update your saved address under **Profile → Addresses** so
your next order goes to the right place.""",
        ["shipping", "address"],
        False,
        Status.PUBLISHED,
    ),
    (
        "returns",
        "Return an item",
        "Send an item back within 30 days for a refund or an exchange.",
        """You can return any item within **30 days** of delivery, unused and in its original packaging.

1. Sign in, open **Orders** and click **Return items**.
2. Choose the items and the reason, then print the prepaid return label.
3. Drop the parcel at any post office or parcel shop.

We refund the item price to your original payment method within **5 business days** of receiving the
return. Return shipping is free for damaged or wrong items.""",
        ["returns", "refund"],
        False,
        Status.PUBLISHED,
    ),
    (
        "returns",
        "An item arrived damaged",
        "Send us a photo and we replace or refund it; no need to send it back first.",
        """We are sorry! Please contact us within **14 days** of delivery with:

- your order number,
- a photo of the damaged item and of the box.

We send a replacement straight away or refund you, whichever you prefer. You do not need to return a
broken item unless we ask for it (we then send you a free return label).""",
        ["returns", "damaged", "broken"],
        False,
        Status.PUBLISHED,
    ),
    (
        "sign-in",
        "Reset your password",
        "Choose a new password with a link we e-mail you.",
        """Forgot your password? You can set a new one in a minute.

1. On the sign-in page click **Forgot password?**
2. Enter the e-mail address of your account.
3. Open the e-mail we send and click **Choose a new password**. The link works for **one hour**.

Your new password must have at least 10 characters. After the reset you are signed out on all your
devices, for your security.""",
        ["password", "login"],
        False,
        Status.PUBLISHED,
    ),
    (
        "sign-in",
        "The password reset e-mail does not arrive",
        "Check the spam folder, the address you typed and your mail provider's filters.",
        """If the password reset e-mail has not arrived after a few minutes:

- Look in your **spam or junk** folder and in tabs such as *Promotions*.
- Check that you typed the address you signed up with; we only send the e-mail to known addresses.
- Company mail servers sometimes hold messages from new senders: ask your IT team to allow
  `noreply@example.com`.
- Request a new link: only the most recent link works.

Still nothing? Contact us from the address of your account and we help you sign in.""",
        ["password", "login", "email"],
        False,
        Status.PUBLISHED,
    ),
    (
        "sign-in",
        "Turn on two-factor authentication",
        "Protect your account with a code from an authenticator app.",
        """Two-factor authentication (2FA) asks for a six-digit code from your phone when you sign in.

1. Go to **Profile → Security** and click **Turn on two-factor authentication**.
2. Scan the QR code with an authenticator app (for example Aegis, Google Authenticator or 1Password).
3. Enter the code the app shows, then store the **recovery codes** somewhere safe.

Lost your phone? Sign in with one of your recovery codes, then set up 2FA again.""",
        ["security", "login", "2fa"],
        False,
        Status.PUBLISHED,
    ),
    (
        "profile",
        "Change your e-mail address",
        "Update the address you sign in with and receive mail at.",
        """1. Go to **Profile → Account**.
2. Enter the new e-mail address and your current password.
3. Confirm the change with the link we send to the **new** address.

Until you confirm, you keep signing in with the old address. Order confirmations and invoices go to the
new address from then on.""",
        ["profile", "email"],
        False,
        Status.PUBLISHED,
    ),
    (
        "profile",
        "Delete your account and your data",
        "How to close your account and what we keep by law.",
        """You can ask us to delete your account at any time under **Profile → Privacy → Delete my account**.

We erase your profile, addresses and messages within 30 days. Invoices are kept for the period the
law requires (usually 5–10 years) and are then deleted too. You can also **download a copy of your
data** first from the same page.""",
        ["privacy", "gdpr", "account"],
        False,
        Status.PUBLISHED,
    ),
    (
        "invoices",
        "Download an invoice",
        "Every order's invoice is a PDF in your account.",
        """Invoices are created when your order ships.

1. Sign in and open **Orders**.
2. Click the order, then **Download invoice (PDF)**.

Need the invoice in another name or for your company? See *Add your VAT number to invoices*.""",
        ["invoice", "billing"],
        False,
        Status.PUBLISHED,
    ),
    (
        "invoices",
        "Add your VAT number to invoices",
        "Business customers can add a company name and VAT ID; we reissue past invoices.",
        """Business customers can add a company name and a **VAT identification number**:

1. Go to **Profile → Billing details**.
2. Enter the company name and VAT number (for example `DE123456789`) and save.

New invoices show them right away. For an invoice that was already issued, contact us with the order
number and we reissue it with your VAT number at no cost.""",
        ["invoice", "vat", "business"],
        False,
        Status.PUBLISHED,
    ),
    (
        "refunds",
        "I was charged twice",
        "A double charge is usually a pending authorisation that disappears within days.",
        """Seeing two charges for one order? Usually one of them is a **pending authorisation**: your bank
reserved the amount while the payment was confirmed, and releases it within 3–5 business days.

If both charges are still there after 5 business days, send us the order number and a screenshot of
your bank statement, and we refund the duplicate charge immediately.""",
        ["payment", "refund", "charge"],
        False,
        Status.PUBLISHED,
    ),
    (
        "refunds",
        "When will I get my refund?",
        "Refunds take 3–5 business days to reach your account after we approve them.",
        """We approve a refund as soon as the return arrives or the problem is confirmed. The money then
takes **3–5 business days** to reach your account, depending on your bank.

| Payment method | Time after approval |
|---|---|
| Card | 3–5 business days |
| PayPal | 1 business day |
| Bank transfer | 2–3 business days |

We e-mail you when the refund is issued.""",
        ["refund", "payment"],
        False,
        Status.PUBLISHED,
    ),
    (
        "troubleshooting",
        "The app crashes on start",
        "Update the app, restart your phone, then reinstall if it still closes.",
        """If the app closes right after the splash screen:

1. Update the app from the App Store or Google Play: crashes are often fixed in a new version.
2. Restart your phone.
3. Delete and reinstall the app. Your data is stored in your account, nothing is lost.

Still crashing? Tell us your phone model and system version (**Settings → About**) and we look into it.""",
        ["app", "crash", "mobile"],
        False,
        Status.PUBLISHED,
    ),
    (
        "plans",
        "What is included in the Pro plan?",
        "Unlimited projects, phone support and up to 25 seats.",
        """The **Pro plan** includes everything in Basic, plus:

- unlimited projects,
- phone support on business days,
- up to **25 seats** (users), with more on request,
- priority answers within 4 business hours.

You can switch plans at any time under **Profile → Plan**; the price is prorated to the day.""",
        ["plans", "pricing", "pro"],
        False,
        Status.PUBLISHED,
    ),
    (
        "refunds",
        "Refunds over 500 EUR: approval by a team lead",
        "Agents only: how to escalate large refunds.",
        """**Internal:** refunds above 500 EUR need a team lead's approval before they are issued.

1. Add the tag `refund-approval` to the ticket.
2. Assign it to the Billing team lead with an internal note stating the amount and the reason.
3. Tell the customer the refund is being approved and will be issued within 2 business days.""",
        ["refund", "escalation"],
        True,
        Status.PUBLISHED,
    ),
    (
        "plans",
        "Gift cards",
        "Buying and redeeming gift cards.",
        """Gift cards are coming soon. This article is a draft.""",
        ["gift card"],
        False,
        Status.DRAFT,
    ),
]

# English title -> {language: (title, summary, body)}
TRANSLATIONS = {
    "Reset your password": {
        "de": (
            "Passwort zurücksetzen",
            "Mit einem Link per E-Mail ein neues Passwort wählen.",
            """Passwort vergessen? So wählen Sie in einer Minute ein neues:

1. Klicken Sie auf der Anmeldeseite auf **Passwort vergessen?**
2. Geben Sie die E-Mail-Adresse Ihres Kontos ein.
3. Öffnen Sie unsere E-Mail und klicken Sie auf **Neues Passwort wählen**. Der Link gilt **eine Stunde**.

Das neue Passwort muss mindestens 10 Zeichen haben. Nach dem Zurücksetzen werden Sie zu Ihrer
Sicherheit auf allen Geräten abgemeldet.""",
        ),
        "da": (
            "Nulstil din adgangskode",
            "Vælg en ny adgangskode med et link, vi sender dig på e-mail.",
            """Har du glemt din adgangskode? Sådan vælger du en ny:

1. Klik på **Glemt adgangskode?** på login-siden.
2. Skriv e-mailadressen til din konto.
3. Åbn vores e-mail, og klik på **Vælg en ny adgangskode**. Linket virker i **én time**.

Den nye adgangskode skal have mindst 10 tegn. Efter nulstillingen bliver du logget ud på alle enheder.""",
        ),
    },
    "Track your order": {
        "de": (
            "Bestellung verfolgen",
            "Wo Sie die Sendungsnummer finden und was der Lieferstatus bedeutet.",
            """Sobald Ihre Bestellung unser Lager verlässt, erhalten Sie eine E-Mail mit der **Sendungsnummer**.

1. Öffnen Sie die Versandbestätigung oder melden Sie sich an und gehen Sie zu **Bestellungen**.
2. Klicken Sie neben der Bestellung auf **Sendung verfolgen**.
3. Die Seite des Paketdienstes zeigt, wo das Paket ist und wann es ankommt.

Die erste Statusmeldung kann bis zu **24 Stunden** dauern.""",
        ),
        "da": (
            "Følg din ordre",
            "Hvor du finder dit sporingsnummer, og hvad leveringsstatus betyder.",
            """Når din ordre forlader vores lager, sender vi en e-mail med et **sporingsnummer**.

1. Åbn forsendelsesbekræftelsen, eller log ind og gå til **Ordrer**.
2. Klik på **Følg pakken** ved ordren.
3. Fragtfirmaets side viser, hvor pakken er, og hvornår den forventes leveret.

Der kan gå op til **24 timer**, før den første scanning vises.""",
        ),
    },
    "I was charged twice": {
        "de": (
            "Doppelte Abbuchung",
            "Eine doppelte Belastung ist meist eine Vormerkung, die nach wenigen Tagen verschwindet.",
            """Sie sehen zwei Abbuchungen für eine Bestellung? Meist ist eine davon nur eine **Vormerkung**
(Autorisierung) Ihrer Bank, die nach 3–5 Werktagen wieder freigegeben wird.

Sind nach 5 Werktagen noch beide Abbuchungen da, schicken Sie uns die Bestellnummer und einen
Kontoauszug; wir erstatten den doppelten Betrag sofort.""",
        ),
    },
    "Return an item": {
        "de": (
            "Artikel zurücksenden",
            "Innerhalb von 30 Tagen zurücksenden und Geld zurück oder Umtausch erhalten.",
            """Sie können jeden Artikel innerhalb von **30 Tagen** nach der Lieferung zurücksenden, unbenutzt und
in der Originalverpackung.

1. Melden Sie sich an, öffnen Sie **Bestellungen** und klicken Sie auf **Artikel zurücksenden**.
2. Wählen Sie Artikel und Grund und drucken Sie das kostenlose Rücksendeetikett.
3. Geben Sie das Paket bei einer Post- oder Paketfiliale ab.

Die Erstattung erfolgt innerhalb von **5 Werktagen** nach Eingang der Rücksendung.""",
        ),
    },
    "Download an invoice": {
        "da": (
            "Hent din faktura",
            "Fakturaen for hver ordre ligger som PDF på din konto.",
            """Fakturaen oprettes, når din ordre afsendes.

1. Log ind, og åbn **Ordrer**.
2. Klik på ordren og derefter på **Hent faktura (PDF)**.

Skal fakturaen stå i et firmanavn med CVR- eller momsnummer? Skriv til os med ordrenummeret.""",
        ),
    },
}

RELATED = [
    ("Reset your password", "The password reset e-mail does not arrive"),
    ("Reset your password", "Turn on two-factor authentication"),
    ("Track your order", "My order has not arrived"),
    ("Return an item", "An item arrived damaged"),
    ("Return an item", "When will I get my refund?"),
    ("I was charged twice", "When will I get my refund?"),
    ("Download an invoice", "Add your VAT number to invoices"),
]


class Command(BaseCommand):
    help = "Create the demo help centre (categories, sections, articles in English, German and Danish); idempotent."

    @transaction.atomic
    def handle(self, *args, **options):
        author = User.objects.filter(username="admin").first()
        sections = self._sections()
        articles, created = {}, 0
        for slug, title, summary, body, tags, internal, status in ARTICLES:
            section = sections[slug]
            existing = (
                ArticleTranslation.objects.filter(article__section=section, language="en", title=title)
                .select_related("article")
                .first()
            )
            if existing:
                articles[title] = existing.article
                continue
            article = services.create_article(
                section=section,
                title=title,
                summary=summary,
                body=body,
                language="en",
                internal=internal,
                tags=tags,
                status=status,
                by=author,
            )
            article.position = len(articles)
            article.save(update_fields=["position"])
            articles[title] = article
            created += 1
        for title, languages in TRANSLATIONS.items():
            for language, (other_title, summary, body) in languages.items():
                if not articles[title].translations.filter(language=language).exists():
                    services.save_translation(
                        article=articles[title],
                        language=language,
                        title=other_title,
                        summary=summary,
                        body=body,
                        status=Status.PUBLISHED,
                        by=author,
                    )
                    created += 1
        for one, other in RELATED:
            articles[one].related.add(articles[other])
        self.stdout.write(f"Knowledge base: {created} articles or translations created, {len(articles)} articles.")

    def _sections(self) -> dict[str, Section]:
        sections = {}
        for position, (slug, name, description, translations, section_specs) in enumerate(CATEGORIES):
            category, _ = Category.objects.get_or_create(
                slug=slug,
                defaults={"name": name, "description": description, "position": position, "translations": translations},
            )
            for index, (section_slug, section_name, names) in enumerate(section_specs):
                sections[section_slug], _ = Section.objects.get_or_create(
                    category=category,
                    slug=section_slug,
                    defaults={
                        "name": section_name,
                        "position": index,
                        "translations": {lang: {"name": value} for lang, value in names.items()},
                    },
                )
        return sections
