"""One search over everything a visitor may read: ideas, volunteer actions, agenda events,
assemblies, news and the other pages of the site.

Each kind is one bounded query over what is public; the rows are scored the same way
(a word in the title counts more than a word in the text) and merged into one list of
plain results. Accents and case never matter: the database compares normalised text
(lower case, accents removed) with the normalised words of the query. On PostgreSQL the
full-text search (French stemming) also finds other forms of a word ("vélos" for "vélo")
and ranks within a kind.
"""

import re
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime

from django.db import connection
from django.db.models import Case, F, IntegerField, OuterRef, Q, Subquery, TextField, Value, When
from django.db.models.expressions import Func
from django.db.models.functions import Coalesce, Concat, Lower, Replace
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page, Site

from civic.assemblies.models import Assembly
from civic.proposals.lifecycle import Status
from civic.proposals.models import Proposal
from civic.volunteering.models import Action, Shift
from cms.agenda.models import EventPage
from cms.models import NewsPage

MAX_QUERY_LENGTH = 200
MAX_WORDS = 8
MAX_WORD_LENGTH = 40
# Enough for a neighbourhood site; a longer list is not read, it is refined.
MAX_RESULTS_PER_KIND = 100
SUMMARY_LENGTH = 160

# Control characters (NUL included) are never part of a search and some databases refuse them.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x1f\x7f]+")
WORD = re.compile(r"\w+")

KINDS = {
    "idee": _("Idée"),
    "action": _("Action"),
    "evenement": _("Événement"),
    "assemblee": _("Assemblée"),
    "actualite": _("Actualité"),
    "page": _("Page"),
}
KIND_PLURALS = {
    "idee": _("Idées"),
    "action": _("Actions"),
    "evenement": _("Événements"),
    "assemblee": _("Assemblées"),
    "actualite": _("Actualités"),
    "page": _("Pages"),
}

# Letters compared without their accent, lower and upper case (SQLite's lower() only
# knows ASCII). Ligatures become two letters, as a resident would type them.
ACCENTED = "àáâãäåçèéêëìíîïñòóôõöùúûüýÿÀÁÂÃÄÅÇÈÉÊËÌÍÎÏÑÒÓÔÕÖÙÚÛÜÝŸ"
PLAIN = "aaaaaaceeeeiiiinooooouuuuyyaaaaaaceeeeiiiinooooouuuuyy"
LIGATURES = {"œ": "oe", "æ": "ae", "Œ": "oe", "Æ": "ae", "’": "'"}


def clean_query(raw):
    """The query as shown back in the search box: bounded, without control characters."""
    return CONTROL_CHARACTERS.sub(" ", raw or "")[:MAX_QUERY_LENGTH].strip()


def normalise(text):
    """Lower case, without accents: "Fête" and "fete" read the same."""
    text = (text or "").casefold()
    for ligature, letters in LIGATURES.items():
        text = text.replace(ligature, letters)
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def query_words(query):
    """The distinct words of the query, normalised and bounded: punctuation and operators
    are never sent to the database."""
    words = []
    for word in WORD.findall(normalise(query)):
        word = word[:MAX_WORD_LENGTH]
        if word not in words:
            words.append(word)
    return words[:MAX_WORDS]


class Normalised(Func):
    """PostgreSQL's side of ``normalise``: lower case, accents and ligatures removed."""

    output_field = TextField()

    def __init__(self, expression):
        text = Lower(Coalesce(expression, Value(""), output_field=TextField()))
        for ligature, letters in LIGATURES.items():
            text = Replace(text, Value(ligature), Value(letters))
        super().__init__(text)

    def as_sql(self, compiler, connection, **extra_context):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"translate({sql}, %s, %s)", [*params, ACCENTED, PLAIN]


def _accent_pattern(word):
    """A regular expression finding ``word`` (normalised) whatever its accents, for SQLite:
    its lower() only knows ASCII and a replace() per letter overflows its parser."""
    variants = {}
    for accented, plain in zip(ACCENTED, PLAIN, strict=True):
        variants.setdefault(plain, plain)
        variants[plain] += accented
    pattern, i = "", 0
    while i < len(word):
        pair = word[i : i + 2]
        ligature = next((lig for lig, letters in LIGATURES.items() if letters == pair), None)
        if ligature and len(pair) == 2:
            pattern += f"(?:{pair}|{ligature.lower()})"
            i += 2
            continue
        char = word[i]
        pattern += f"[{variants[char]}]" if char in variants else re.escape(char)
        i += 1
    return pattern


def _contains(name, word):
    """``name`` (an annotation of ``_matching``) holds ``word``, accents and case aside."""
    if connection.vendor == "postgresql":
        return Q(**{f"{name}__contains": word})
    return Q(**{f"{name}__iregex": _accent_pattern(word)})


@dataclass(frozen=True)
class SearchResult:
    kind: str
    title: str
    url: str
    summary: str = ""
    facts: tuple = ()
    score: float = 0.0
    when: datetime | date | None = None

    @property
    def kind_label(self):
        return KINDS[self.kind]


@dataclass
class SearchOutcome:
    query: str
    words: list
    kind: str | None
    results: list = field(default_factory=list)
    counts: dict = field(default_factory=dict)

    @property
    def total(self):
        return sum(self.counts.values())

    @property
    def kinds(self):
        """The filter: each kind with its label and how many results it has."""
        return [
            {"key": key, "label": KIND_PLURALS[key], "count": self.counts.get(key, 0)}
            for key in KINDS
        ]


def _text(*fields):
    """The searchable text of a row: its fields joined by spaces."""
    parts = []
    for name in fields:
        parts += [Coalesce(F(name), Value(""), output_field=TextField()), Value(" ")]
    return Concat(*parts, output_field=TextField())


def _matching(queryset, words, title_field, text_fields, limit=MAX_RESULTS_PER_KIND, extra=None):
    """The rows whose title or text holds every word, best first: more words in the title
    first, then (PostgreSQL) the full-text rank. ``extra`` adds rows found otherwise."""
    postgresql = connection.vendor == "postgresql"
    title, text = F(title_field), _text(*text_fields)
    queryset = queryset.annotate(
        search_title=Normalised(title) if postgresql else title,
        search_text=Normalised(text) if postgresql else text,
    )
    every_word = Q()
    title_hits = Value(0)
    for word in words:
        every_word &= _contains("search_title", word) | _contains("search_text", word)
        title_hits = title_hits + Case(
            When(_contains("search_title", word), then=Value(1)),
            default=Value(0),
            output_field=IntegerField(),
        )
    matches = every_word
    ordering = ["-title_hits"]
    if postgresql:
        from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector

        vector = SearchVector("search_title", weight="A", config="french") + SearchVector(
            "search_text", weight="B", config="french"
        )
        tsquery = SearchQuery(" ".join(words), config="french", search_type="plain")
        queryset = queryset.annotate(search_vector=vector, search_rank=SearchRank(vector, tsquery))
        matches |= Q(search_vector=tsquery)
        ordering.append("-search_rank")
    else:
        queryset = queryset.annotate(search_rank=Value(0.0))
    if extra is not None:
        matches |= extra
    return queryset.filter(matches).annotate(title_hits=title_hits).order_by(*ordering)[:limit]


def _score(words, title, text, rank=0.0):
    """Same scale for every kind: each word of the title counts ten, each word of the text
    one; the database's rank only breaks ties. A row found in another of its fields (a
    place, a block of its body) still counts a little."""
    title, text = normalise(title), normalise(text)
    score = sum(10 for w in words if w in title) + sum(1 for w in words if w in text)
    return max(score, 0.5) + rank


def _shorten(text, length=SUMMARY_LENGTH):
    text = " ".join(re.sub(r"<[^>]+>", " ", text or "").split())
    return text if len(text) <= length else text[: length - 1].rsplit(" ", 1)[0] + "…"


def _day(value):
    if isinstance(value, datetime):
        value = timezone.localtime(value).date()
    return formats.date_format(value, "l j F Y")


def _ideas(words):
    rows = _matching(
        Proposal.objects.public().select_related("neighbourhood"),
        words,
        "title",
        ["description", "address"],
    )
    return [
        SearchResult(
            kind="idee",
            title=idea.title,
            url=idea.get_absolute_url(),
            summary=_shorten(idea.description),
            facts=(idea.neighbourhood.name, Status(idea.status).label),
            score=_score(words, idea.title, idea.description, idea.search_rank),
            when=idea.published_at or idea.created_at,
        )
        for idea in rows
    ]


def _actions(words):
    next_shift = (
        Shift.objects.filter(action=OuterRef("pk"), starts_at__gte=timezone.now())
        .filter(is_cancelled=False)
        .order_by("starts_at")
        .values("starts_at")[:1]
    )
    rows = _matching(
        Action.objects.published()
        .select_related("neighbourhood")
        .annotate(next_shift=Subquery(next_shift)),
        words,
        "title",
        ["description", "meeting_place", "what_to_bring", "skills_welcome"],
    )
    results = []
    for action in rows:
        facts = [action.neighbourhood.name]
        if action.next_shift:
            facts.append(_("Prochain créneau : %(day)s") % {"day": _day(action.next_shift)})
        results.append(
            SearchResult(
                kind="action",
                title=action.title,
                url=action.get_absolute_url(),
                summary=_shorten(action.description),
                facts=tuple(facts),
                score=_score(words, action.title, action.description, action.search_rank),
                when=action.next_shift or action.created_at,
            )
        )
    return results


def _assemblies(words):
    rows = _matching(
        Assembly.objects.published().select_related("neighbourhood"),
        words,
        "title",
        ["convocation", "place"],
    )
    return [
        SearchResult(
            kind="assemblee",
            title=assembly.title,
            url=assembly.get_absolute_url(),
            summary=_shorten(assembly.convocation),
            facts=(assembly.neighbourhood.name, _day(assembly.starts_at)),
            score=_score(words, assembly.title, assembly.convocation, assembly.search_rank),
            when=assembly.starts_at,
        )
        for assembly in rows
    ]


def _site_pages(site):
    """Live, public pages of the site asked for (never the tree's root, never another site)."""
    if site is None:
        return Page.objects.none()
    return Page.objects.live().public().descendant_of(site.root_page, inclusive=True)


def _found_by_page_index(site, words):
    """Pages whose body (blocks, rich text) holds the words, from Wagtail's search index:
    the page columns alone do not hold the text of their blocks."""
    found = _site_pages(site).search(" ".join(words), operator="and")[:MAX_RESULTS_PER_KIND]
    return [page.pk for page in found]


def _pages_of(model, site):
    if site is None:
        return model.objects.none()
    return model.objects.live().public().descendant_of(site.root_page, inclusive=True)


def _news(words, site, request, indexed_pks):
    rows = _matching(
        _pages_of(NewsPage, site).select_related("neighbourhood"),
        words,
        "title",
        ["lead", "search_description"],
        extra=Q(pk__in=indexed_pks),
    )
    results = []
    for page in rows:
        facts = [_day(page.date)]
        if page.neighbourhood:
            facts.append(page.neighbourhood.name)
        results.append(
            SearchResult(
                kind="actualite",
                title=page.title,
                url=page.get_url(request),
                summary=_shorten(page.lead),
                facts=tuple(facts),
                score=_score(words, page.title, page.lead, page.search_rank),
                when=page.date,
            )
        )
    return results


def _events(words, site, request, indexed_pks):
    rows = _matching(
        _pages_of(EventPage, site).select_related("neighbourhood"),
        words,
        "title",
        ["summary", "place", "search_description"],
        extra=Q(pk__in=indexed_pks),
    )
    results = []
    for page in rows:
        facts = [_day(page.start), page.neighbourhood.name if page.neighbourhood else page.place]
        results.append(
            SearchResult(
                kind="evenement",
                title=page.title,
                url=page.get_url(request),
                summary=_shorten(page.summary),
                facts=tuple(facts),
                score=_score(words, page.title, page.summary, page.search_rank),
                when=page.start,
            )
        )
    return results


def _other_pages(words, site, request, indexed_pks):
    rows = _matching(
        _site_pages(site).not_type(NewsPage, EventPage),
        words,
        "title",
        ["search_description"],
        extra=Q(pk__in=indexed_pks),
    )
    return [
        SearchResult(
            kind="page",
            title=page.title,
            url=page.get_url(request),
            summary=_shorten(page.search_description),
            facts=(_("Mise à jour le %(day)s") % {"day": _day(page.last_published_at)},)
            if page.last_published_at
            else (),
            score=_score(words, page.title, page.search_description, page.search_rank),
            when=page.last_published_at,
        )
        for page in rows
    ]


def search_everything(*, request, query, kind=None):
    """What the visitor may read that holds every word of ``query``, best first.

    ``kind`` (one of ``KINDS``) keeps one kind; the counts per kind are always given, for
    the filter. A query without any word finds nothing, without touching the database."""
    query = clean_query(query)
    kind = kind if kind in KINDS else None
    words = query_words(query)
    outcome = SearchOutcome(query=query, words=words, kind=kind)
    if not words:
        return outcome
    site = Site.find_for_request(request)
    indexed_pks = _found_by_page_index(site, words)
    found = [
        *_ideas(words),
        *_actions(words),
        *_events(words, site, request, indexed_pks),
        *_assemblies(words),
        *_news(words, site, request, indexed_pks),
        *_other_pages(words, site, request, indexed_pks),
    ]
    for result in found:
        outcome.counts[result.kind] = outcome.counts.get(result.kind, 0) + 1
    kept = [r for r in found if kind is None or r.kind == kind]
    kept.sort(key=lambda r: (r.score, _timestamp(r.when)), reverse=True)
    outcome.results = kept
    return outcome


def _timestamp(value):
    if value is None:
        return 0.0
    if isinstance(value, datetime):
        return value.timestamp()
    return datetime(
        value.year, value.month, value.day, tzinfo=timezone.get_current_timezone()
    ).timestamp()
