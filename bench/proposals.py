"""Server time of the idea pages on a realistic volume, next to a floor.

    .venv/bin/python bench/proposals.py [--proposals 10000] [--requests 50] [--strict]

By itself, and cleaning up after itself:
1. a dedicated database: on the PostgreSQL server of DATABASE_URL when it is set (a new
   database ``<name>_bench_<pid>``, dropped at the end), otherwise a temporary SQLite file;
   no Redis (in-memory channel layer and cache), DJANGO_ENV=test, DEBUG off;
2. migrates, then seeds with bulk_create: residents, 10,000 ideas in every state, their
   supports, comments and public history (a minute or two on 2 cores);
3. measures in process with the Django test Client (server time: middleware, view,
   queries, template; no network): the list page /idees/ (anonymous and logged in, newest
   first, most supported, a deep page), an idea page, a support (the HTML form, and the
   API when present), and the API list when present. Each series runs N requests after a
   warm-up, interleaved with its FLOOR: a bare view defined here that renders the same 20
   rows from the same database with a minimal template, behind the same middleware;
4. prints median and p95 per series, queries per request, and whether the targets hold:
   list page ≤ 2× the floor, ≤ 10 queries. ``--strict`` exits 1 when a target fails.
"""

import argparse
import os
import random
import re
import shutil
import signal
import statistics
import sys
import tempfile
import time
import types
import warnings
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlparse, urlunparse

BASE_DIR = Path(__file__).resolve().parent.parent
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path[0] = str(BASE_DIR)  # run as a script: import the project, not bench/
elif str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))

PAGE_SIZE = 20
TARGET_RATIO = 2.0
TARGET_QUERIES = 10
LIST_IDS = re.compile(rb'data-proposal-id="(\d+)"')


# --- A database of our own ------------------------------------------------------------------


class BenchDatabase:
    """Create the bench database before Django is set up; drop it at the end."""

    def __init__(self):
        self.url = os.environ.get("DATABASE_URL", "")
        self.postgres = self.url.startswith(("postgres://", "postgresql://"))
        self.tempdir = None
        self.name = None

    def __enter__(self):
        if self.postgres:
            import psycopg
            from psycopg import sql

            parsed = urlparse(self.url)
            base = parsed.path.lstrip("/") or "postgres"
            self.name = f"{base}_bench_{os.getpid()}"[:63]
            self.admin_url = urlunparse(parsed._replace(path="/postgres"))
            with psycopg.connect(self.admin_url, autocommit=True) as conn:
                conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(self.name)))
            os.environ["DATABASE_URL"] = urlunparse(parsed._replace(path=f"/{self.name}"))
            self.label = f"PostgreSQL, database {self.name} (dropped at the end)"
        else:
            self.tempdir = tempfile.mkdtemp(prefix="qc-bench-")
            path = Path(self.tempdir) / "bench.sqlite3"
            os.environ["DATABASE_URL"] = f"sqlite:///{path}"
            self.label = f"SQLite, {path} (removed at the end)"
        return self

    def __exit__(self, *exc_info):
        try:
            from django.db import connections

            for conn in connections.all():
                conn.close()
                if hasattr(conn, "close_pool"):
                    conn.close_pool()
        except Exception as error:  # Django not set up yet, or already gone
            print(f"(closing connections: {error})", file=sys.stderr)
        if self.postgres and self.name:
            import psycopg
            from psycopg import sql

            with psycopg.connect(self.admin_url, autocommit=True) as conn:
                conn.execute(
                    sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                        sql.Identifier(self.name)
                    )
                )
            print(f"Dropped database {self.name}.")
        if self.tempdir:
            shutil.rmtree(self.tempdir, ignore_errors=True)
            print(f"Removed {self.tempdir}.")


def setup_django():
    os.environ["DJANGO_ENV"] = "test"  # DEBUG off, fast password hasher, no real email
    os.environ["DEBUG"] = "false"
    os.environ.pop("REDIS_URL", None)  # never touch a shared Redis
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    warnings.filterwarnings("ignore", "No directory at", UserWarning)  # no collectstatic here
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    import django

    django.setup()


# --- Seeding --------------------------------------------------------------------------------


def seed(n_proposals, rng):
    from django.contrib.auth.hashers import make_password
    from django.db import connection, transaction
    from django.utils import timezone

    from civic.accounts.models import User
    from civic.proposals.lifecycle import Status
    from civic.proposals.models import Comment, Notification, Proposal, StatusChange, Support, Theme
    from civic.territory.models import Neighbourhood, Regie
    from cms.setup import ensure_site

    started = time.perf_counter()
    ensure_site(hostname="testserver")
    n_residents = max(200, n_proposals // 3)
    now = timezone.now()
    password = make_password(None)  # unusable: the bench logs in with force_login
    batch = 5000

    with transaction.atomic():
        regie = Regie.objects.create(
            name="Régie du banc d'essai", city="Toulouse", support_threshold=100_000
        )
        neighbourhoods = Neighbourhood.objects.bulk_create(
            [
                Neighbourhood(regie=regie, name=f"Quartier {i}", slug=f"quartier-banc-{i}")
                for i in range(8)
            ]
        )
        themes = list(Theme.objects.all()) or Theme.objects.bulk_create(
            [Theme(name=f"Thème {i}", slug=f"theme-banc-{i}", position=i) for i in range(6)]
        )
        residents = User.objects.bulk_create(
            [
                User(
                    email=f"habitant{i}@banc.example",
                    display_name=f"Habitant·e {i}",
                    neighbourhood=neighbourhoods[i % len(neighbourhoods)],
                    password=password,
                )
                for i in range(n_residents)
            ],
            batch_size=batch,
        )
        resident_ids = [user.pk for user in residents]

        # States as a live platform has them: mostly published, some answered, a few
        # awaiting moderation, refused, withdrawn or hidden.
        weighted = [
            (Status.PUBLISHED, 55),
            (Status.UNDER_STUDY, 10),
            (Status.ACCEPTED, 6),
            (Status.REJECTED, 6),
            (Status.IN_PROGRESS, 4),
            (Status.DONE, 4),
            (Status.SUBMITTED, 8),
            (Status.REFUSED, 4),
            (Status.WITHDRAWN, 3),
        ]
        statuses = [status for status, weight in weighted for _ in range(weight)]
        proposals = []
        for i in range(n_proposals):
            status = rng.choice(statuses)
            created = now - timedelta(minutes=rng.randint(10, 2 * 365 * 24 * 60))
            public = status not in (Status.SUBMITTED, Status.REFUSED, Status.WITHDRAWN)
            answered = status not in (Status.PUBLISHED, Status.SUBMITTED, Status.WITHDRAWN)
            proposals.append(
                Proposal(
                    author_id=rng.choice(resident_ids),
                    neighbourhood=rng.choice(neighbourhoods),
                    theme=rng.choice(themes),
                    title=f"Idée {i} : des bancs et de l'ombre près de l'aire de jeux",
                    description="Installer des bancs et planter des arbres. " * 8,
                    address=f"{i % 90 + 1} rue des Tilleuls",
                    status=status,
                    support_open=rng.random() > 0.1,
                    is_hidden=public and rng.random() < 0.01,
                    created_at=created,
                    published_at=created + timedelta(hours=6) if public else None,
                    last_answered_at=created + timedelta(days=20) if answered else None,
                )
            )
        proposals = Proposal.objects.bulk_create(proposals, batch_size=batch)

        steps, supports, comments = [], [], []
        for proposal in proposals:
            steps.append(
                StatusChange(
                    proposal=proposal,
                    from_status="",
                    to_status=Status.SUBMITTED,
                    created_at=proposal.created_at,
                )
            )
            if proposal.published_at:
                steps.append(
                    StatusChange(
                        proposal=proposal,
                        from_status=Status.SUBMITTED,
                        to_status=Status.PUBLISHED,
                        actor_label="La Régie",
                        created_at=proposal.published_at,
                    )
                )
            if proposal.last_answered_at:
                steps.append(
                    StatusChange(
                        proposal=proposal,
                        from_status=Status.PUBLISHED,
                        to_status=proposal.status,
                        actor_label="La Régie",
                        answer="Merci pour cette idée : voici notre réponse. " * 3,
                        created_at=proposal.last_answered_at,
                    )
                )
            if not proposal.published_at:
                continue
            # A few ideas gather many supports, most a handful.
            n_supports = min(int(rng.expovariate(1 / 12)), 400, n_residents)
            for resident_id in rng.sample(resident_ids, n_supports):
                supports.append(
                    Support(
                        proposal=proposal,
                        resident_id=resident_id,
                        created_at=proposal.published_at + timedelta(hours=1),
                    )
                )
            for c in range(int(rng.expovariate(1 / 3))):
                comments.append(
                    Comment(
                        proposal=proposal,
                        author_id=rng.choice(resident_ids),
                        body=f"Bonne idée, et il faudrait aussi de l'ombre. ({c})",
                        created_at=proposal.published_at + timedelta(hours=2 + c),
                        is_hidden=rng.random() < 0.02,
                    )
                )
        StatusChange.objects.bulk_create(steps, batch_size=batch)
        Support.objects.bulk_create(supports, batch_size=batch)
        Comment.objects.bulk_create(comments, batch_size=batch)

        bench_user = User.objects.create_user(
            email="banc@banc.example",
            password=None,
            display_name="Banc d'essai",
            neighbourhood=neighbourhoods[0],
        )
        Notification.objects.bulk_create(
            [
                Notification(
                    recipient=bench_user,
                    proposal=proposals[i],
                    kind=Notification.Kind.STATUS,
                    message=f"Nouvelle étape {i}",
                )
                for i in range(5)
            ]
        )
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return {
        "seconds": time.perf_counter() - started,
        "residents": n_residents,
        "proposals": len(proposals),
        "public": sum(1 for p in proposals if p.published_at and not p.is_hidden),
        "supports": len(supports),
        "comments": len(comments),
        "history": len(steps),
        "bench_user": bench_user,
    }


# --- The floor and the URLs -------------------------------------------------------------------

FLOOR_TEMPLATE = """<!doctype html><title>Floor</title><ul>{% for p in rows %}
<li data-proposal-id="{{ p.pk }}"><a href="/idees/{{ p.pk }}/">{{ p.title }}</a>
{{ p.neighbourhood.name }} · {{ p.theme.name }} · {{ p.get_status_display }}
· {{ p.support_count }} · {{ p.comment_count }}</li>{% endfor %}</ul>"""


def floor_view(request):
    """The least a list page can do: the same 20 rows (public, newest first, with their
    counts, neighbourhood and theme), one query, a minimal template."""
    from django.db.models import F
    from django.http import HttpResponse
    from django.template import engines

    from civic.proposals.models import Proposal

    rows = (
        Proposal.objects.public()
        .with_counts()
        .select_related("neighbourhood", "theme")
        .order_by(F("published_at").desc(nulls_last=True), "-created_at", "-pk")[:PAGE_SIZE]
    )
    template = engines["django"].from_string(FLOOR_TEMPLATE)
    return HttpResponse(template.render({"rows": rows}))


def install_urls():
    """The project's URLs, with the floor in front."""
    from django.conf import settings
    from django.urls import clear_url_caches, include, path

    module = types.ModuleType("bench_urls")
    module.urlpatterns = [
        path("__bench__/floor/", floor_view),
        path("", include(settings.ROOT_URLCONF)),
    ]
    sys.modules["bench_urls"] = module
    settings.ROOT_URLCONF = "bench_urls"
    clear_url_caches()


def routed(name, *args):
    from django.urls import NoReverseMatch, reverse

    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


# --- Measuring --------------------------------------------------------------------------------


class Series:
    def __init__(self, label, client, method, urls, expect, **kwargs):
        self.label, self.client, self.method = label, client, method
        self.urls, self.expect, self.kwargs = iter(urls), expect, kwargs
        self.times, self.queries, self.sql, self.body = [], None, [], b""

    def request(self):
        url = next(self.urls)
        response = getattr(self.client, self.method)(url, **self.kwargs)
        if response.status_code not in self.expect:
            raise RuntimeError(f"{self.label}: {url} answered {response.status_code}")
        return response

    def timed(self):
        started = time.perf_counter()
        self.request()
        self.times.append(time.perf_counter() - started)

    def count_queries(self):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as captured:
            response = self.request()
        self.queries = len(captured.captured_queries)
        self.sql = [query["sql"] for query in captured.captured_queries]
        self.body = getattr(response, "content", b"")

    @property
    def median(self):
        return statistics.median(self.times) * 1000

    @property
    def p95(self):
        return statistics.quantiles(self.times, n=20, method="inclusive")[18] * 1000


def run(series, n, warmup=5):
    """Warm up, count queries once, then time n requests per series, round-robin, so that
    every series (and its floor) sees the same machine load."""
    for item in series:
        for _ in range(warmup):
            item.request()
        item.count_queries()
    for _ in range(n):
        for item in series:
            item.timed()


def cycle(values):
    while True:
        yield from values


def measure(stats, n):
    from django.test import Client

    from civic.proposals.lifecycle import SUPPORTABLE_STATUSES
    from civic.proposals.models import Proposal

    bench_user = stats["bench_user"]
    anonymous, resident = Client(), Client()
    resident.force_login(bench_user)

    public = Proposal.objects.public()
    detail_ids = list(public.order_by("?").values_list("pk", flat=True)[:n])
    # Ideas the bench resident can support (a new support each time, never a no-op).
    supportable = list(
        public.filter(status__in=SUPPORTABLE_STATUSES, support_open=True)
        .order_by("?")
        .values_list("pk", flat=True)[: 4 * n + 20]
    )
    list_url = routed("proposals:list")
    api_list = None
    try:
        from django.urls import resolve

        if resolve("/api/proposals/").url_name:  # routed by the proposals API
            api_list = "/api/proposals/"
    except Exception:
        api_list = None
    floor = "/__bench__/floor/"
    page_count = max(1, stats["public"] // PAGE_SIZE)

    reads, writes = [], []
    if list_url:
        reads += [
            Series("list /idees/ (anonymous)", anonymous, "get", cycle([list_url]), {200}),
            Series("floor (anonymous)", anonymous, "get", cycle([floor]), {200}),
            Series("list /idees/ (logged in)", resident, "get", cycle([list_url]), {200}),
            Series("floor (logged in)", resident, "get", cycle([floor]), {200}),
            Series(
                "list, most supported",
                anonymous,
                "get",
                cycle([f"{list_url}?tri=soutiens"]),
                {200},
            ),
            Series(
                f"list, page {page_count // 2}",
                anonymous,
                "get",
                cycle([f"{list_url}?page={page_count // 2}"]),
                {200},
            ),
        ]
        detail_urls = [routed("proposals:detail", pk) for pk in detail_ids]
        reads.append(Series("idea page (logged in)", resident, "get", cycle(detail_urls), {200}))
    else:
        reads += [
            Series("floor (anonymous)", anonymous, "get", cycle([floor]), {200}),
            Series("floor (logged in)", resident, "get", cycle([floor]), {200}),
        ]
    if api_list:
        reads.append(Series("API list (anonymous)", anonymous, "get", cycle([api_list]), {200}))
        api_detail = [f"{api_list}{pk}/" for pk in detail_ids]
        reads.append(Series("API idea (logged in)", resident, "get", cycle(api_detail), {200}))

    pool = iter(supportable)
    needed = n + 6  # warm-up and query count included
    if routed("proposals:support", 1):
        urls = [routed("proposals:support", next(pool)) for _ in range(needed)]
        writes.append(Series("support, HTML form", resident, "post", iter(urls), {302}))
    if api_list:
        urls = [f"{api_list}{next(pool)}/support/" for _ in range(needed)]
        writes.append(Series("support, API PUT", resident, "put", iter(urls), {200}))
    if not writes:
        writes.append(ServiceSupport(bench_user, [next(pool) for _ in range(needed)]))

    run(reads, n)
    run(writes, n)
    return reads + writes, list_url


class ServiceSupport(Series):
    """When no support URL exists yet: the service call alone."""

    def __init__(self, user, ids):
        super().__init__("support, services (no URL yet)", None, None, iter(ids), set())
        self.user = user

    def request(self):
        from civic.proposals import services
        from civic.proposals.models import Proposal

        services.support_proposal(proposal=Proposal(pk=next(self.urls)), resident=self.user)


# --- Report -----------------------------------------------------------------------------------


def report(series, list_url, n, show_queries=False):
    by_label = {item.label: item for item in series}
    if show_queries:
        for item in series:
            print(f"\n--- {item.label}: {item.queries} queries")
            for number, sql in enumerate(item.sql, 1):
                print(f"{number:3}. {sql[:300]}")
    load = " / ".join(f"{value:.1f}" for value in os.getloadavg())
    print(f"\nServer time in process (Django test Client), {n} requests per row after warm-up")
    print(f"Load average at the end (1 / 5 / 15 min): {load} on {os.cpu_count()} CPUs")
    print(f"{'':32} {'median ms':>10} {'p95 ms':>9} {'queries':>8} {'× floor':>8}")
    for item in series:
        floor = None
        if item.label.startswith("list") or item.label.startswith("API list"):
            floor = by_label.get(
                "floor (logged in)" if "logged in" in item.label else "floor (anonymous)"
            )
        ratio = f"{item.median / floor.median:.2f}" if floor else ""
        print(f"{item.label:32} {item.median:10.1f} {item.p95:9.1f} {item.queries:8} {ratio:>8}")

    results = []
    if not list_url:
        print("\n/idees/ is not routed yet: the list targets cannot be checked.")
        return results
    for who in ("anonymous", "logged in"):
        page, floor = by_label[f"list /idees/ ({who})"], by_label[f"floor ({who})"]
        same = LIST_IDS.findall(page.body) == LIST_IDS.findall(floor.body)
        if not same:
            print(f"Note: the list page ({who}) shows other rows than the floor.")
        ratio = page.median / floor.median
        results.append(
            (f"list ({who}) ≤ {TARGET_RATIO:g}× floor", ratio <= TARGET_RATIO, f"{ratio:.2f}×")
        )
        results.append(
            (
                f"list ({who}) ≤ {TARGET_QUERIES} queries",
                page.queries <= TARGET_QUERIES,
                f"{page.queries} queries",
            )
        )
    print("\nTargets")
    for label, ok, figure in results:
        print(f"  {'PASS' if ok else 'FAIL'}  {label:34} {figure}")
    return results


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--proposals", type=int, default=10_000)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--seed", type=int, default=20_240)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a target fails")
    parser.add_argument(
        "--show-queries", action="store_true", help="print the SQL of one request per row"
    )
    args = parser.parse_args()
    # Ctrl-C and SIGTERM leave through the finally blocks: the database is always dropped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    with BenchDatabase() as database:
        print(f"Database: {database.label}")
        setup_django()
        from django.core.management import call_command

        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        print(f"Migrated in {time.perf_counter() - started:.0f} s.")
        stats = seed(args.proposals, random.Random(args.seed))
        print(
            f"Seeded in {stats['seconds']:.0f} s: {stats['proposals']:,} ideas "
            f"({stats['public']:,} public), {stats['supports']:,} supports, "
            f"{stats['comments']:,} comments, {stats['history']:,} history steps, "
            f"{stats['residents']:,} residents."
        )
        install_urls()
        series, list_url = measure(stats, args.requests)
        results = report(series, list_url, args.requests, args.show_queries)
    if args.strict and not all(ok for _, ok, _ in results):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
