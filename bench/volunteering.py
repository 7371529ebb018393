"""Sign-ups under concurrency, and the action page's server time with 200 shifts.

    .venv/bin/python bench/volunteering.py [--threads 8] [--per-thread 50] [--requests 50]

By itself, and cleaning up after itself (the same harness as bench/proposals.py):
1. a dedicated database: on the PostgreSQL server of DATABASE_URL when it is set (a new
   database ``<name>_bench_<pid>``, dropped at the end), otherwise a temporary SQLite file;
   no Redis (in-memory channel layer and cache), DJANGO_ENV=test, DEBUG off;
2. sign-ups through ``services.sign_up`` / ``cancel_signup`` (the code the form and the
   API call: row locks, constraints, after-commit live state and reminder), from real
   threads released together by a barrier, each with its own database session:
   - one thread, then THREADS threads × PER_THREAD residents, on ONE shift (the shift lock
     serialises them: this is the worst case, everybody at the same place);
   - THREADS threads on THREADS different shifts of the same action (they must not wait
     for each other);
   - churn: THREADS threads, half cancelling confirmed sign-ups (each cancel promotes the
     head of the waitlist), half signing newcomers up, on one full shift;
   after each run the database is checked: never overbooked, ``seats_taken`` = confirmed
   sign-ups, no free place while people wait, one live sign-up per person, the waitlist in
   the order people were served, promotions first come first served;
3. the action page with 200 shifts, in process with the Django test Client (server time:
   middleware, view, queries, template; no network): /agir/<pk>/ (anonymous and logged in
   with sign-ups on it) when routed, and the API detail /api/volunteering/actions/<pk>/;
   median, p95 and queries per request;
4. prints a table; ``--strict`` exits 1 when a correctness check fails. The whole run
   stops by itself after ``--max-seconds`` (default 900) whatever happens.
"""

import argparse
import os
import random
import signal
import statistics
import sys
import threading
import time
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path[0] = str(BASE_DIR)  # run as a script: import the project, not bench/
elif str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))

from bench.proposals import BenchDatabase, Series, cycle, routed, run, setup_django  # noqa: E402

SHIFTS_ON_PAGE = 200
JOIN_TIMEOUT = 300  # seconds


class TimeIsUp(Exception):
    pass


# --- Seeding --------------------------------------------------------------------------------


def seed_people(n, rng):
    from django.contrib.auth.hashers import make_password

    from civic.accounts.models import User
    from civic.territory.models import Neighbourhood, Regie
    from cms.setup import ensure_site

    ensure_site(hostname="testserver")
    regie = Regie.objects.create(name="Régie du banc d'essai", city="Toulouse")
    neighbourhoods = Neighbourhood.objects.bulk_create(
        [
            Neighbourhood(regie=regie, name=f"Quartier {i}", slug=f"quartier-banc-{i}")
            for i in range(4)
        ]
    )
    password = make_password(None)  # unusable: the bench logs in with force_login
    people = User.objects.bulk_create(
        [
            User(
                email=f"benevole{i}@banc.example",
                display_name=f"Bénévole {i}",
                neighbourhood=neighbourhoods[i % len(neighbourhoods)],
                password=password,
            )
            for i in range(n)
        ],
        batch_size=2000,
    )
    return neighbourhoods, people


def new_shift(action, *, capacity, day):
    from django.utils import timezone

    from civic.volunteering.models import Shift

    # Two days ahead at least: reminders are deferred, not sent during the sign-up.
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=2 + day)
    return Shift.objects.create(
        action=action, starts_at=start, ends_at=start + timedelta(hours=2), capacity=capacity
    )


# --- Correctness ------------------------------------------------------------------------------


def check_shift(shift_id, *, expected_people=None):
    """What must hold for any shift whatever happened: a list of (check, ok) pairs."""
    from django.db.models import Count

    from civic.volunteering.models import Shift, Signup

    shift = Shift.objects.get(pk=shift_id)
    signups = Signup.objects.filter(shift=shift)
    confirmed = signups.filter(status=Signup.Status.CONFIRMED).count()
    waiting = list(signups.waitlisted().values_list("pk", flat=True))
    doubles = signups.active().values("user").annotate(n=Count("pk")).filter(n__gt=1).exists()
    checks = [
        ("never overbooked", shift.seats_taken <= shift.capacity),
        ("seats_taken = confirmed", shift.seats_taken == confirmed),
        ("no free place while people wait", not waiting or confirmed == shift.capacity),
        ("one live sign-up per person", not doubles),
        ("waitlist in the order served", waiting == sorted(waiting)),
    ]
    if expected_people is not None:
        live = confirmed + len(waiting)
        checks.append(("everyone has a sign-up", live == expected_people))
    return checks


# --- Concurrency ------------------------------------------------------------------------------


class Race:
    """``threads`` threads released together; thread i runs ``jobs[i]`` (a list of calls)
    one after the other. Wall time from the release to the last call's end."""

    def __init__(self, label, jobs):
        self.label, self.jobs = label, jobs
        self.latencies, self.errors = [], []
        self.wall = 0.0
        self.checks = []

    def go(self):
        from django.db import connection

        lock = threading.Lock()
        released = []
        barrier = threading.Barrier(
            len(self.jobs), action=lambda: released.append(time.perf_counter())
        )

        def worker(calls):
            mine = []
            try:
                connection.ensure_connection()
                barrier.wait(timeout=JOIN_TIMEOUT)
                for call in calls:
                    started = time.perf_counter()
                    try:
                        call()
                    except Exception as error:  # counted and shown, never hidden
                        with lock:
                            self.errors.append(repr(error))
                    mine.append(time.perf_counter() - started)
            finally:
                connection.close()
                with lock:
                    self.latencies.extend(mine)

        threads = [
            threading.Thread(target=worker, args=(calls,), daemon=True) for calls in self.jobs
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(JOIN_TIMEOUT)
        if any(thread.is_alive() for thread in threads):
            raise RuntimeError(f"{self.label}: threads still running after {JOIN_TIMEOUT} s")
        self.wall = time.perf_counter() - released[0]
        return self

    @property
    def calls(self):
        return sum(len(calls) for calls in self.jobs)

    @property
    def rate(self):
        return self.calls / self.wall if self.wall else 0.0

    def ms(self, q):
        ordered = sorted(self.latencies)
        if not ordered:
            return 0.0
        if q == 50:
            return statistics.median(ordered) * 1000
        return statistics.quantiles(ordered, n=20, method="inclusive")[18] * 1000


def sign_up_call(shift, person):
    from civic.volunteering import services

    return lambda: services.sign_up(shift=shift, actor=person)


def cancel_call(signup):
    from civic.volunteering import services

    return lambda: services.cancel_signup(signup=signup, actor=signup.user)


def sign_up_queries(action, person):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from civic.volunteering import services

    shift = new_shift(action, capacity=5, day=400)
    with CaptureQueriesContext(connection) as captured:
        services.sign_up(shift=shift, actor=person)
    return len(captured.captured_queries)


def concurrency(people, neighbourhood, threads, per_thread, rng):
    from civic.volunteering.models import Action, Signup

    action = Action.objects.create(
        title="Grand nettoyage (banc d'essai)",
        description="Le banc d'essai des inscriptions.",
        neighbourhood=neighbourhood,
        meeting_place="Place du marché",
    )
    pool = iter(people)
    races = []

    def take(n):
        return [next(pool) for _ in range(n)]

    # One thread, one shift: the baseline.
    shift = new_shift(action, capacity=per_thread // 2, day=1)
    race = Race(
        f"1 thread × {per_thread}, one shift", [[sign_up_call(shift, p) for p in take(per_thread)]]
    )
    race.go()
    race.checks = check_shift(shift.pk, expected_people=per_thread)
    races.append(race)

    # Everybody on one shift: capacity for a third of them, the rest on the waitlist.
    total = threads * per_thread
    shift = new_shift(action, capacity=total // 3, day=2)
    jobs = [[sign_up_call(shift, p) for p in take(per_thread)] for _ in range(threads)]
    race = Race(f"{threads} threads × {per_thread}, one shift", jobs)
    race.go()
    race.checks = check_shift(shift.pk, expected_people=total)
    races.append(race)

    # One shift per thread, same action: no waiting on each other's locks.
    shifts = [new_shift(action, capacity=per_thread, day=3 + i) for i in range(threads)]
    jobs = [[sign_up_call(s, p) for p in take(per_thread)] for s in shifts]
    race = Race(f"{threads} threads × {per_thread}, {threads} shifts", jobs)
    race.go()
    race.checks = [c for s in shifts for c in check_shift(s.pk, expected_people=per_thread)]
    races.append(race)

    # Churn on a full shift: half the threads cancel, half sign newcomers up.
    capacity = (threads // 2) * per_thread
    shift = new_shift(action, capacity=capacity, day=3 + threads)
    holders = take(capacity)
    waiting = take(capacity // 2)
    for person in holders + waiting:
        sign_up_call(shift, person)()
    queue_before = list(
        Signup.objects.filter(shift=shift).waitlisted().values_list("pk", flat=True)
    )
    confirmed = list(Signup.objects.filter(shift=shift, status="confirmed").select_related("user"))
    rng.shuffle(confirmed)
    cancelling = threads // 2
    # Fewer cancellations than people waiting: every freed place goes to the old queue.
    jobs = [
        [cancel_call(s) for s in confirmed[i::cancelling][: per_thread // 4]]
        for i in range(cancelling)
    ]
    newcomers = take((threads - cancelling) * (per_thread // 2))
    jobs += [
        [sign_up_call(shift, p) for p in newcomers[i :: threads - cancelling]]
        for i in range(threads - cancelling)
    ]
    race = Race(f"churn: {cancelling} cancel + {threads - cancelling} sign up", jobs)
    race.go()
    promoted = list(
        Signup.objects.filter(shift=shift, promoted_at__isnull=False)
        .order_by("promoted_at", "created_at", "pk")
        .values_list("pk", flat=True)
    )
    cancelled = sum(len(j) for j in jobs[:cancelling])
    race.checks = [
        *check_shift(shift.pk),
        ("promoted first come first served", promoted == queue_before[: len(promoted)]),
        ("one promotion per cancel", len(promoted) == cancelled),
    ]
    races.append(race)
    return races, sign_up_queries(action, next(pool))


# --- The action page ----------------------------------------------------------------------------


def seed_action_page(people, neighbourhood, rng):
    from django.utils import timezone

    from civic.volunteering.models import Action, Shift, Signup

    action = Action.objects.create(
        title="Jardin partagé : toute la saison (banc d'essai)",
        description="Arrosage, désherbage, récolte. " * 20,
        neighbourhood=neighbourhood,
        meeting_place="Jardin des Tilleuls",
        what_to_bring="Des gants",
    )
    start = timezone.now().replace(minute=0, second=0, microsecond=0) + timedelta(days=1)
    shifts = []
    for i in range(SHIFTS_ON_PAGE):
        begins = start + timedelta(days=i // 4, hours=3 * (i % 4)) - timedelta(days=10)
        shifts.append(
            Shift(
                action=action,
                starts_at=begins,
                ends_at=begins + timedelta(hours=2),
                capacity=rng.randint(4, 15),
                role=rng.choice(["", "", "accueil", "encadrant"]),
                is_cancelled=rng.random() < 0.03,
            )
        )
    shifts = Shift.objects.bulk_create(shifts)
    viewer = people[0]
    signups = []
    for index, shift in enumerate(shifts):
        if shift.is_cancelled:
            continue
        crowd = rng.sample(people[1:], rng.randint(0, shift.capacity + 6))
        if index % 10 == 0:
            crowd.append(viewer)  # the logged-in viewer is on some of them
        for n, person in enumerate(crowd):
            status = Signup.Status.CONFIRMED if n < shift.capacity else Signup.Status.WAITLISTED
            signups.append(
                Signup(
                    shift=shift,
                    user=person,
                    status=status,
                    created_at=shift.starts_at - timedelta(days=20, minutes=len(crowd) - n),
                )
            )
        shift.seats_taken = min(len(crowd), shift.capacity)
    Signup.objects.bulk_create(signups, batch_size=2000)
    Shift.objects.bulk_update(shifts, ["seats_taken"], batch_size=500)
    return action, viewer, len(signups)


def measure_page(action, viewer, n):
    from django.test import Client

    anonymous, resident = Client(), Client()
    resident.force_login(viewer)
    page = routed("volunteering:action", action.pk)
    api = f"/api/volunteering/actions/{action.pk}/"
    series = []
    if page:
        series += [
            Series(f"{page} (anonymous)", anonymous, "get", cycle([page]), {200}),
            Series(f"{page} (logged in)", resident, "get", cycle([page]), {200}),
        ]
    series += [
        Series(f"{api} (anonymous)", anonymous, "get", cycle([api]), {200}),
        Series(f"{api} (logged in)", resident, "get", cycle([api]), {200}),
        Series(
            "/api/volunteering/my-shifts/",
            resident,
            "get",
            cycle(["/api/volunteering/my-shifts/"]),
            {200},
        ),
    ]
    run(series, n)
    return series, page


# --- Report -------------------------------------------------------------------------------------


def report(races, queries_per_sign_up, series, page, n, signups_on_page):
    load = " / ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"\nSign-ups through services (real threads, own sessions); {queries_per_sign_up} "
        "queries for one sign-up"
    )
    print(
        f"{'':42} {'calls':>6} {'per s':>8} {'median ms':>10} {'p95 ms':>8} {'errors':>7}  checks"
    )
    failed = []
    for race in races:
        bad = [name for name, ok in race.checks if not ok]
        failed += [f"{race.label}: {name}" for name in bad]
        verdict = "all pass" if not bad else "FAIL: " + ", ".join(sorted(set(bad)))
        print(
            f"{race.label:42} {race.calls:6} {race.rate:8.0f} {race.ms(50):10.1f} "
            f"{race.ms(95):8.1f} {len(race.errors):7}  {verdict}"
        )
        for error in sorted(set(race.errors))[:3]:
            print(f"    error: {error[:160]}")
    print(
        f"\nAction page: {SHIFTS_ON_PAGE} shifts, {signups_on_page} sign-ups; server time in "
        f"process (Django test Client), {n} requests per row after warm-up"
    )
    print(f"Load average at the end (1 / 5 / 15 min): {load} on {os.cpu_count()} CPUs")
    print(f"{'':42} {'median ms':>10} {'p95 ms':>9} {'queries':>8} {'kB':>7}")
    for item in series:
        print(
            f"{item.label:42} {item.median:10.1f} {item.p95:9.1f} {item.queries:8} "
            f"{len(item.body) / 1024:7.0f}"
        )
    if not page:
        print("\n/agir/<pk>/ is not routed yet: only the API detail was measured.")
    print("\nCorrectness: " + ("every check passed." if not failed else f"{len(failed)} FAILED"))
    for line in failed:
        print(f"  FAIL {line}")
    return not failed


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--per-thread", type=int, default=50)
    parser.add_argument("--requests", type=int, default=50)
    parser.add_argument("--seed", type=int, default=20_240)
    parser.add_argument("--max-seconds", type=int, default=900)
    parser.add_argument("--strict", action="store_true", help="exit 1 when a check fails")
    args = parser.parse_args()
    if args.threads < 2 or args.per_thread < 4:
        parser.error("at least 2 threads and 4 residents per thread")
    # Ctrl-C, SIGTERM and the time limit leave through the finally blocks: the database is
    # always dropped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    def time_is_up(*_):
        raise TimeIsUp(f"stopped after {args.max_seconds} s")

    signal.signal(signal.SIGALRM, time_is_up)
    signal.alarm(args.max_seconds)
    # One pooled session per thread (PostgreSQL), plus the main one.
    os.environ["DATABASE_POOL_SIZE"] = str(args.threads + 4)
    rng = random.Random(args.seed)
    ok = True
    with BenchDatabase() as database:
        print(f"Database: {database.label}")
        setup_django()
        from django.core.management import call_command

        started = time.perf_counter()
        call_command("migrate", verbosity=0, interactive=False)
        print(f"Migrated in {time.perf_counter() - started:.0f} s.")
        needed = args.threads * args.per_thread * 3 + 2 * args.per_thread + 200
        neighbourhoods, people = seed_people(needed, rng)
        print(f"Seeded {len(people):,} residents.")
        races, queries = concurrency(
            people[200:], neighbourhoods[0], args.threads, args.per_thread, rng
        )
        action, viewer, signups_on_page = seed_action_page(people[:200], neighbourhoods[1], rng)
        series, page = measure_page(action, viewer, args.requests)
        ok = report(races, queries, series, page, args.requests, signups_on_page)
    signal.alarm(0)
    return 0 if ok or not args.strict else 1


if __name__ == "__main__":
    sys.exit(main())
