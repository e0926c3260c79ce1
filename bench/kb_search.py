"""Knowledge-base search latency on PostgreSQL with many articles.

Fills its own database server-side (INSERT ... SELECT generate_series): articles in 40 sections,
every one in English, 10% also in German and 5% in Danish, 3% internal, 5% drafts. Titles and
bodies (80-300 words) draw from a support vocabulary with a Zipf-like skew (a few words in most
articles, a long tail of product names and codes in few), then the search vectors are built by the
same `update_search_vectors()` the services use, and the tables are VACUUM ANALYZEd.

Then it times `knowledge_base.search.search()` on 200 queries (common words, rare words, multi-word,
misspelt words that only the trigram fallback finds, German) and `suggest()` on 100 sentences, and
prints median and p95 per kind and overall, plus the plan of the slowest query.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres python bench/kb_search.py --articles 100000
"""

import argparse
import random
import statistics
import time

from _setup import django_on_fresh_database, percentile


def _words(text: str) -> list[str]:
    return text.split()


COMMON = _words(
    """account order password payment invoice delivery refund shipping email login app settings
profile subscription plan price card address customer support team product return item tracking
number business days link page click open change update download upload phone mobile browser
error message problem issue help contact company user data security code verification time week"""
)
MEDIUM = _words(
    """authentication authorisation cancellation renewal upgrade downgrade discount voucher coupon
warranty repair replacement exchange parcel courier carrier customs duty tax vat receipt statement
notification reminder calendar export import integration webhook token api sync backup restore
language currency region timezone invoice-address billing-cycle trial seats licence licence-key
firewall proxy cookies cache session device tablet desktop printer scanner bluetooth wifi router
battery charger cable adapter screen keyboard camera microphone speaker headset firmware driver
installation uninstall reinstall crash freeze slow timeout outage maintenance incident status
privacy gdpr deletion consent newsletter unsubscribe spam blocked suspended locked unlock recover
reset forgotten expired invalid declined pending approved rejected failed successful duplicate"""
)
GERMAN = _words(
    """konto bestellung passwort zahlung rechnung lieferung erstattung versand anmeldung einstellungen
profil abonnement tarif preis karte adresse kunde support produkt rücksendung artikel sendung nummer
werktage link seite klicken öffnen ändern herunterladen telefon fehler meldung problem hilfe daten
sicherheit code bestätigung woche kündigung verlängerung gutschein garantie reparatur umtausch paket
zoll steuer beleg benachrichtigung erinnerung sprache währung gerät drucker akku bildschirm absturz
datenschutz löschung zurücksetzen vergessen abgelaufen abgelehnt doppelt abbuchung vormerkung"""
)
DANISH = _words(
    """konto ordre adgangskode betaling faktura levering refusion forsendelse login indstillinger
profil abonnement pris kort adresse kunde produkt returnering vare pakke nummer hverdage link side
klik åbn ændr hent telefon fejl besked problem hjælp data sikkerhed kode bekræftelse uge nulstil
glemt udløbet afvist dobbelt træk"""
)
SYLLABLES = _words(
    "ka lo mi ne ru ta vex zor bli qua dre fen gor hal ix jun kel mor nap ost pil rax sun tor ul vin wex yor"
)


def tail_words(n: int, seed: int) -> list[str]:
    """Product names and codes: words few articles contain."""
    rng = random.Random(seed)
    words = set()
    while len(words) < n:
        words.add("".join(rng.choice(SYLLABLES) for _ in range(rng.randint(2, 4))))
    return sorted(words)


FILL_SQL = """
SELECT setseed(0.42);

INSERT INTO knowledge_base_article (section_id, internal, position, created_at, updated_at)
SELECT (%(section_ids)s::bigint[])[1 + floor(random() * %(sections)s)::int], random() < 0.03, 0, now(), now()
FROM generate_series(1, %(articles)s) g;

-- The vocabularies as rows (word number n per language): a draw is a join, not an array subscript
-- (subscripting a large text[] walks it from the start every time).
CREATE TEMP TABLE kb_words (language text, n int, word text, PRIMARY KEY (language, n));
INSERT INTO kb_words SELECT 'en', n, w FROM unnest(%(english)s::text[]) WITH ORDINALITY AS t(w, n);
INSERT INTO kb_words SELECT 'de', n, w FROM unnest(%(german)s::text[]) WITH ORDINALITY AS t(w, n);
INSERT INTO kb_words SELECT 'da', n, w FROM unnest(%(danish)s::text[]) WITH ORDINALITY AS t(w, n);
CREATE TEMP TABLE kb_sizes AS SELECT language, count(*) AS size FROM kb_words GROUP BY language;
ANALYZE kb_words;

-- Every article in English, 10%% also in German, 5%% also in Danish. Positions below 0 are title
-- words (3-8), above 0 body words (80-300). power(random(), k) skews the draws towards the start of
-- each vocabulary (common words first, the long tail of product names last).
INSERT INTO knowledge_base_articletranslation
    (article_id, language, title, slug, summary, body_source, body_html, body_text, status, published_at,
     created_at, updated_at)
SELECT d.article_id, d.language,
       initcap(string_agg(w.word, ' ' ORDER BY d.pos) FILTER (WHERE d.pos < 0)),
       'article-' || d.article_id, '',
       string_agg(w.word, ' ' ORDER BY d.pos) FILTER (WHERE d.pos > 0),
       '<p>' || string_agg(w.word, ' ' ORDER BY d.pos) FILTER (WHERE d.pos > 0) || '</p>',
       string_agg(w.word, ' ' ORDER BY d.pos) FILTER (WHERE d.pos > 0),
       CASE WHEN d.article_id %% 20 = 7 THEN 'draft' ELSE 'published' END, now(), now(), now()
FROM (
    SELECT a.id AS article_id, l.language, p.pos,
           1 + floor(power(random(), CASE WHEN p.pos < 0 THEN 1.6 ELSE 2.2 END) * l.size)::int AS n
    FROM knowledge_base_article a
    JOIN kb_sizes l ON l.language = 'en' OR (l.language = 'de' AND a.id %% 10 = 0)
                    OR (l.language = 'da' AND a.id %% 20 = 1)
    CROSS JOIN LATERAL (
        SELECT -generate_series(1, 3 + a.id %% 6) AS pos
        UNION ALL SELECT generate_series(1, 80 + (a.id * 7) %% 220)
    ) p
) d
JOIN kb_words w ON w.language = d.language AND w.n = d.n
GROUP BY d.article_id, d.language;
"""


def fill(n: int) -> None:
    from django.db import connection

    from knowledge_base.models import ArticleTranslation, Category, Section
    from knowledge_base.services import update_search_vectors

    sections = []
    for c in range(10):
        category = Category.objects.create(name=f"Category {c}", slug=f"category-{c}", position=c)
        sections += [Section.objects.create(category=category, name=f"Section {c}.{s}", slug=f"s{s}") for s in range(4)]
    tail = tail_words(6000, seed=7)
    params = {
        "articles": n,
        "sections": len(sections),
        "section_ids": [s.pk for s in sections],
        "english": COMMON + MEDIUM + tail,
        "german": GERMAN + tail[:2000],
        "danish": DANISH + tail[:1000],
    }
    start = time.perf_counter()
    with connection.cursor() as cur:
        for statement in filter(str.strip, FILL_SQL.split(";")):
            cur.execute(statement, params)
    print(
        f"filled {n} articles, {ArticleTranslation.objects.count()} translations in {time.perf_counter() - start:.0f} s"
    )
    start = time.perf_counter()
    for language in ("en", "de", "da"):
        update_search_vectors(ArticleTranslation.objects.all(), language=language)
    print(f"built search vectors in {time.perf_counter() - start:.0f} s")
    connection.cursor().execute("VACUUM ANALYZE")


def typo(word: str, rng: random.Random) -> str:
    i = rng.randrange(1, len(word) - 1)
    kind = rng.choice(["drop", "swap", "double"])
    if kind == "drop":
        return word[:i] + word[i + 1 :]
    if kind == "swap":
        return word[: i - 1] + word[i] + word[i - 1] + word[i + 1 :]
    return word[:i] + word[i] + word[i:]


def queries(rng: random.Random) -> list[tuple[str, str, str]]:
    """(kind, query, language): 200 searches, as a help centre and agents would send them."""
    tail = tail_words(6000, seed=7)
    long_medium = [w for w in MEDIUM if len(w) >= 7 and "-" not in w]
    out = []
    out += [("common", rng.choice(COMMON), "en") for _ in range(40)]
    out += [("rare", rng.choice(tail[3000:]), "en") for _ in range(30)]
    out += [("medium", rng.choice(MEDIUM), "en") for _ in range(20)]
    out += [("multi-word", " ".join(rng.sample(COMMON, 1) + rng.sample(MEDIUM, 1)), "en") for _ in range(30)]
    out += [("multi-word", " ".join(rng.sample(COMMON, 2) + rng.sample(MEDIUM, 1)), "en") for _ in range(10)]
    out += [("typo", typo(rng.choice(long_medium), rng), "en") for _ in range(25)]
    out += [("typo", f"{rng.choice(COMMON)} {typo(rng.choice(long_medium), rng)}", "en") for _ in range(15)]
    out += [("german", rng.choice(GERMAN), "de") for _ in range(20)]
    out += [("danish", rng.choice(DANISH), "da") for _ in range(10)]
    rng.shuffle(out)
    return out


def sentences(rng: random.Random) -> list[str]:
    """What a customer types before sending: a subject or a sentence, the last word cut off half the time."""
    out = []
    for _ in range(100):
        words = rng.sample(COMMON, 3) + rng.sample(MEDIUM, 2)
        text = f"my {words[0]} {words[1]} is {words[2]} after {words[3]} {words[4]}"
        out.append(text[: len(text) - rng.randint(0, 4)])
    return out


def report(name: str, times: list[float]) -> None:
    median, p95 = statistics.median(times), percentile(times, 95)
    print(f"  {name:12s} n={len(times):3d}  median {median:6.1f} ms  p95 {p95:6.1f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--articles", type=int, default=100_000)
    parser.add_argument("--reuse", action="store_true", help="keep an already filled database")
    args = parser.parse_args()
    django_on_fresh_database("helpdesk_bench_kb", reuse=args.reuse)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import NoReverseMatch, reverse, set_urlconf

    from knowledge_base.models import Article, ArticleTranslation
    from knowledge_base.search import search, suggest

    try:
        reverse("kb:home")
    except NoReverseMatch:  # hits carry help-centre URLs; until helpdesk/urls.py includes them
        set_urlconf("tests.knowledge_base.urls")
    if not Article.objects.exists():
        fill(args.articles)
    print(f"{Article.objects.count()} articles, {ArticleTranslation.objects.count()} translations")

    rng = random.Random(1)
    batch = queries(rng)
    for _kind, q, lang in batch[:20]:  # warm the connection and the caches
        search(q, language=lang)
    by_kind: dict[str, list[float]] = {}
    everything, slowest, empty = [], (0.0, "", ""), 0
    for kind, q, lang in batch:
        start = time.perf_counter()
        hits = search(q, language=lang, limit=10)
        elapsed = (time.perf_counter() - start) * 1000
        empty += not hits
        by_kind.setdefault(kind, []).append(elapsed)
        everything.append(elapsed)
        slowest = max(slowest, (elapsed, q, lang))
    print(f"search(): {len(batch)} queries, {empty} found nothing")
    for kind, times in sorted(by_kind.items()):
        report(kind, times)
    report("all", everything)
    print(f"  slowest: {slowest[1]!r} ({slowest[2]}) {slowest[0]:.1f} ms")
    with CaptureQueriesContext(connection) as ctx:
        search(slowest[1], language=slowest[2])
    rank_sql = max(ctx.captured_queries, key=lambda q: float(q["time"]))["sql"]
    with connection.cursor() as cur:
        cur.execute(f"EXPLAIN ANALYZE {rank_sql}")
        print("  plan: " + "\n         ".join(row[0] for row in cur.fetchall()[:12]))

    typed = sentences(rng)
    times = []
    for text in typed:
        start = time.perf_counter()
        suggest(text, language="en")
        times.append((time.perf_counter() - start) * 1000)
    print("suggest():")
    report("sentences", times)


if __name__ == "__main__":
    main()
