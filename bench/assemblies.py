"""A live vote in a neighbourhood assembly: 500 and 1,000 members over WebSockets.

    .venv/bin/python bench/assemblies.py [--members 500,1000] [--modes memory,redis]
                                         [--max-seconds 600] [--no-deflate] [--strict]

By itself, and cleaning up after itself (the harness of bench/proposals.py):
1. a dedicated database: on the PostgreSQL server of DATABASE_URL (a new database
   ``<name>_bench_<pid>``, dropped at the end), otherwise a temporary SQLite file. The redis
   mode needs PostgreSQL and Redis: without DATABASE_URL / REDIS_URL it uses
   postgres://postgres@127.0.0.1:5432/test and redis://127.0.0.1:6379/9 when they answer,
   else the mode is skipped with a line saying why. Migrated, then seeded in the bench
   process: a chair (Moderators group), residents, one Django session per person in the
   database (their ``sessionid`` cookie), and per run a published assembly with N members
   registered and checked in, the session open and a for/against motion prepared;
2. servers: ``uvicorn config.asgi:application --ws websockets-sansio`` on 127.0.0.1 only
   (the command of scripts/serve.sh), DJANGO_ENV=test, DEBUG off, logging at WARNING.
   Mode "memory": one server, in-memory channel layer. Mode "redis": two servers sharing
   the database and Redis (channel layer and cache; prefixes of their own, since Redis
   pub/sub ignores database numbers); members half on each, the chair on the first;
3. a run, from one asyncio client process (this one): N members connect in batches of
   100, each waits for its snapshot; the chair opens the vote (and every member must see
   it open); every member votes at once (pour / contre / abstention in turn) and waits for
   the ack → votes accepted per second and ack latency; the chair closes the vote: from
   just before the close is sent to the moment each member's reader receives the
   ``assembly.state`` carrying the result → p50 / p99 / max and how many received it;
4. checks in the database: ballots = votes acknowledged = votes sent, the stored tally
   per option = the votes sent per option, the result members received = the stored one,
   no error frame, no server traceback. Prints one table; ``--strict`` exits 1 when a
   check fails or the target is missed (result to 1,000 members with p99 < 250 ms, no
   vote lost). Everything stops after ``--max-seconds`` (default 600), whatever happens:
   the clients are closed, the servers ended by PID, the database dropped.

The client runs on the same machine as the servers: its own work (TLS-free WebSocket
framing, JSON parsing of every frame for 1,000 sockets) is inside every figure.
"""

import argparse
import asyncio
import math
import os
import shutil
import signal
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
if sys.path and Path(sys.path[0]).resolve() == Path(__file__).resolve().parent:
    sys.path[0] = str(BASE_DIR)  # run as a script: import the project, not bench/
elif str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))

from bench._live_harness import (  # noqa: E402
    Member,
    Server,
    close_all,
    connect_all,
    percentile,
    raise_open_files,
)
from bench.proposals import BenchDatabase, setup_django  # noqa: E402

DEFAULT_POSTGRES = "postgres://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS = "redis://127.0.0.1:6379/9"
TARGET_MEMBERS = 1000
TARGET_P99_MS = 250
CONNECT_BATCH = 100
CONNECT_TIMEOUT = 60  # seconds, per batch
ACK_TIMEOUT = 120  # seconds, for all the votes
RESULT_TIMEOUT = 60  # seconds, from the close to the last member
ROLES = ("for", "against", "abstention")  # member i votes ROLES[i % 3]


class TimeIsUp(Exception):
    pass


@dataclass
class Outcome:
    mode: str
    members: int
    servers: int
    connect_s: float = 0.0
    connect_failures: list = field(default_factory=list)
    open_seen_ms: list = field(default_factory=list)
    sent: Counter = field(default_factory=Counter)
    acked: Counter = field(default_factory=Counter)
    vote_ms: list = field(default_factory=list)
    vote_wall_s: float = 0.0
    close_ack_ms: float = 0.0
    result_ms: list = field(default_factory=list)
    received_result: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    failure: str = ""
    checks: list = field(default_factory=list)
    cpu: dict = field(default_factory=dict)  # phase → (wall s, client CPU s, servers CPU s)
    loop_lag_ms: float = 0.0  # the client's event loop, worst delay during the close

    @property
    def votes_per_s(self):
        total = sum(self.acked.values())
        return total / self.vote_wall_s if self.vote_wall_s else 0.0

    @property
    def ok(self):
        return not self.failure and all(ok for _, ok in self.checks)

    @property
    def on_target(self):
        return (
            self.ok
            and len(self.result_ms) == self.members
            and percentile(self.result_ms, 99) < TARGET_P99_MS
        )


# --- Seeding (in this process, Django ORM) ------------------------------------------------------


@dataclass
class Population:
    neighbourhood: object
    chair: object
    residents: list
    cookies: dict  # user id → session key


def seed_population(n):
    from django.conf import settings
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session
    from django.utils import timezone
    from django.utils.crypto import get_random_string

    from civic.accounts import roles
    from civic.accounts.models import User
    from civic.territory.models import Neighbourhood, Regie

    regie = Regie.objects.create(name="Régie du banc d'essai", city="Toulouse")
    neighbourhood = Neighbourhood.objects.create(
        regie=regie, name="Quartier du banc", slug="quartier-banc"
    )
    password = make_password(None)  # unusable: people log in through their session row
    chair = User.objects.create(
        email="presidence@banc.example",
        display_name="Présidence",
        neighbourhood=neighbourhood,
        password=password,
        is_staff=True,
    )
    chair.groups.add(Group.objects.get(name=roles.MANAGERS))
    residents = User.objects.bulk_create(
        [
            User(
                email=f"membre{i}@banc.example",
                display_name=f"Membre {i}",
                neighbourhood=neighbourhood,
                password=password,
            )
            for i in range(n)
        ],
        batch_size=2000,
    )
    # Logged in the way django.contrib.auth.login leaves a session: what the socket's
    # AuthMiddlewareStack reads from the database session engine.
    store = SessionStore()
    expires = timezone.now() + timezone.timedelta(days=1)
    backend = settings.AUTHENTICATION_BACKENDS[0]
    cookies, rows = {}, []
    for user in [chair, *residents]:
        key = get_random_string(32, "abcdefghijklmnopqrstuvwxyz0123456789")
        cookies[user.pk] = key
        data = {
            "_auth_user_id": str(user.pk),
            "_auth_user_backend": backend,
            "_auth_user_hash": user.get_session_auth_hash(),
        }
        rows.append(Session(session_key=key, session_data=store.encode(data), expire_date=expires))
    Session.objects.bulk_create(rows, batch_size=2000)
    return Population(neighbourhood, chair, residents, cookies)


def prepare_vote(population, n, label):
    """A published assembly, n members checked in, the session open, a motion prepared.
    Returns (assembly id, motion id, {role: option id})."""
    from django.utils import timezone

    from civic.assemblies import services
    from civic.assemblies.models import Participant

    chair = population.chair
    now = timezone.now()
    assembly = services.create_assembly(
        actor=chair,
        neighbourhood=population.neighbourhood,
        title=f"Assemblée du banc d'essai ({label})",
        starts_at=now,
        place="Salle des fêtes",
        is_published=True,
        items=[{"title": "Budget participatif"}],
    )
    # Registered and checked in at the door, in bulk (the services do one at a time);
    # each row gets its own check-in token from the field's default.
    Participant.objects.bulk_create(
        [
            Participant(
                assembly=assembly,
                user=user,
                registered_by=user,
                registered_at=now,
                checked_in_at=now,
                checked_in_by=chair,
            )
            for user in population.residents[:n]
        ],
        batch_size=1000,
    )
    services.open_session(actor=chair, assembly=assembly)
    motion = services.create_motion(
        actor=chair, assembly=assembly, question="Adopter le budget du jardin partagé ?"
    )
    options = {(o.role or "abstention"): o.pk for o in motion.options.all()}
    return assembly.pk, motion.pk, options


def check_database(outcome, motion_id, options, received):
    from django.db.models import Count

    from civic.assemblies.models import Ballot, Motion

    motion = Motion.objects.get(pk=motion_id)
    stored = Counter(
        dict(
            Ballot.objects.filter(motion_id=motion_id)
            .order_by()
            .values_list("option_id")
            .annotate(n=Count("pk"))
        )
    )
    sent = Counter({options[role]: count for role, count in outcome.sent.items()})
    acked = Counter({options[role]: count for role, count in outcome.acked.items()})
    result = motion.result or {}
    tallies = {t["option"]: t["votes"] for t in result.get("tallies", [])}
    tallies = Counter({k: v for k, v in tallies.items() if v})
    seen = {
        tuple(sorted((t["option"], t["votes"]) for t in r.get("tallies", [])))
        for r in received
        if r
    }
    outcome.checks = [
        ("every member connected", not outcome.connect_failures),
        ("every vote acknowledged", sum(acked.values()) == outcome.members),
        ("ballots = votes sent", sum(stored.values()) == sum(sent.values()) == outcome.members),
        ("ballots per option = sent", stored == sent),
        ("stored tally = votes sent", tallies == sent and result.get("cast") == outcome.members),
        ("motion closed", motion.status == "closed"),
        ("result received by all", len(outcome.result_ms) == outcome.members),
        (
            "received result = stored",
            seen == {tuple(sorted((t["option"], t["votes"]) for t in result.get("tallies", [])))},
        ),
        ("no error frame", not outcome.errors),
    ]


def cpu_seconds(pid):
    """User + system CPU time of a process (Linux /proc); 0 when unreadable."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return 0.0


# --- One run ---------------------------------------------------------------------------------------


async def live_vote(
    outcome, servers, population, assembly_id, motion_id, options, deadline, *, compression
):
    n = outcome.members
    path = f"/ws/assemblees/{assembly_id}/"

    def member(index, user, server):
        return Member(
            index,
            server.ws_url(path),
            server.origin,
            population.cookies[user.pk],
            compression=compression,
        )

    chair = member(-1, population.chair, servers[0])
    members = [
        member(i, user, servers[i % len(servers)])
        for i, user in enumerate(population.residents[:n])
    ]
    phase = {"name": "", "t0": 0.0}
    open_seen, result_at, results = {}, {}, {}
    everybody_saw_open = asyncio.Event()
    everybody_has_result = asyncio.Event()

    def watch(m, at, event, payload):
        if event != "assembly.state" or m.index < 0:
            return
        motion = payload.get("motion") or {}
        if motion.get("id") != motion_id:
            return
        if motion.get("status") == "open" and m.index not in open_seen and phase["t0"]:
            open_seen[m.index] = at - phase["t0"]
            if len(open_seen) == n:
                everybody_saw_open.set()
        elif (
            motion.get("status") == "closed"
            and motion.get("result")
            and m.index not in result_at
            and phase["name"] == "close"
        ):
            result_at[m.index] = at - phase["t0"]
            results[m.index] = motion["result"]
            if len(result_at) == n:
                everybody_has_result.set()

    for m in members:
        m.watch = watch

    # Who burns the CPU during each phase: this client, or the servers.
    pids = [s.process.pid for s in servers]
    marks = {}

    def mark(name):
        marks[name] = (time.perf_counter(), time.process_time(), sum(map(cpu_seconds, pids)))

    def spent(start, end):
        (w0, c0, s0), (w1, c1, s1) = marks[start], marks[end]
        outcome.cpu[start] = (w1 - w0, c1 - c0, s1 - s0)

    lag = {"max": 0.0, "on": False}

    async def watch_loop():
        # How late this loop wakes up: a late client stamps frames late.
        while True:
            before = time.perf_counter()
            await asyncio.sleep(0.005)
            late = time.perf_counter() - before - 0.005
            if lag["on"]:
                lag["max"] = max(lag["max"], late)

    watcher = asyncio.create_task(watch_loop())

    def left():
        return max(0.1, deadline - time.monotonic())

    try:
        # Connect: the chair first, then the members in batches.
        phase["name"] = "connect"
        mark("connect")
        started = time.perf_counter()
        failures = await connect_all([chair], batch=1, timeout=min(CONNECT_TIMEOUT, left()))
        if failures:
            raise RuntimeError(f"the chair could not connect: {failures[0][1]!r}")
        outcome.connect_failures = await connect_all(
            members, batch=CONNECT_BATCH, timeout=min(CONNECT_TIMEOUT, left())
        )
        outcome.connect_s = time.perf_counter() - started
        if outcome.connect_failures:
            sample = outcome.connect_failures[0][1]
            raise RuntimeError(
                f"{len(outcome.connect_failures)} members could not connect, e.g. {sample!r}"
            )
        for m in members:
            state = m.snapshot.result().get("state") or {}
            if state.get("id") != assembly_id or state.get("session") != "open":
                raise RuntimeError(f"member {m.index}: snapshot without the open session")

        # Open: every member must see the vote open before voting.
        phase.update(name="open", t0=time.perf_counter())
        _, _, event, payload = await chair.request(
            {"type": "motion.open", "motion": motion_id, "id": "open"}, min(30, left())
        )
        if event != "ack":
            raise RuntimeError(f"motion.open refused: {payload}")
        await asyncio.wait_for(everybody_saw_open.wait(), min(RESULT_TIMEOUT, left()))
        outcome.open_seen_ms = [s * 1000 for s in open_seen.values()]

        # Vote: everybody at once.
        phase["name"] = "vote"
        mark("vote")
        options_by_member = [ROLES[m.index % len(ROLES)] for m in members]
        first_send = time.perf_counter()
        replies = await asyncio.wait_for(
            asyncio.gather(
                *(
                    m.request(
                        {
                            "type": "vote",
                            "motion": motion_id,
                            "option": options[role],
                            "id": f"v{m.index}",
                        },
                        ACK_TIMEOUT,
                    )
                    for m, role in zip(members, options_by_member, strict=True)
                ),
                return_exceptions=True,
            ),
            min(ACK_TIMEOUT, left()),
        )
        last_ack = first_send
        for role, reply in zip(options_by_member, replies, strict=True):
            outcome.sent[role] += 1
            if isinstance(reply, BaseException):
                outcome.errors.append({"code": "vote", "message": repr(reply)})
                continue
            sent_at, received_at, event, payload = reply
            if event == "ack":
                outcome.acked[role] += 1
                outcome.vote_ms.append((received_at - sent_at) * 1000)
                last_ack = max(last_ack, received_at)
        outcome.vote_wall_s = last_ack - first_send

        # Close: from just before the chair sends it to each member's reader.
        mark("close")
        lag["on"] = True
        phase.update(name="close", t0=time.perf_counter())
        sent_at, received_at, event, payload = await chair.request(
            {"type": "motion.close", "motion": motion_id, "id": "close"}, min(30, left())
        )
        if event != "ack":
            raise RuntimeError(f"motion.close refused: {payload}")
        outcome.close_ack_ms = (received_at - sent_at) * 1000
        try:
            await asyncio.wait_for(everybody_has_result.wait(), min(RESULT_TIMEOUT, left()))
        except TimeoutError:
            outcome.failure = (
                f"only {len(result_at)}/{n} members received the result within {RESULT_TIMEOUT} s"
            )
        lag["on"] = False
        mark("end")
        outcome.loop_lag_ms = lag["max"] * 1000
        spent("connect", "vote")
        spent("vote", "close")
        spent("close", "end")
        outcome.result_ms = [s * 1000 for s in result_at.values()]
        outcome.received_result = list(results.values())
    except TimeoutError:
        outcome.failure = f"timed out during the {phase['name']} phase"
    except Exception as error:
        outcome.failure = f"{phase['name']}: {error}"
    finally:
        watcher.cancel()
        for m in [chair, *members]:
            outcome.errors += [e for e in m.errors if e.get("code") != "vote"]
        await asyncio.wait_for(close_all([chair, *members]), 60)


def run_mode(mode, sizes, population, server_env, n_servers, log_dir, deadline, compression, app):
    from django.db import connections

    servers = [Server(f"{mode}-{i + 1}", server_env, log_dir, app=app) for i in range(n_servers)]
    outcomes = []
    try:
        for server in servers:
            server.start()
        for server in servers:
            server.wait_ready(deadline)
        print(
            f"{mode}: {n_servers} server(s) on "
            + ", ".join(f"127.0.0.1:{s.port} (pid {s.process.pid})" for s in servers),
            flush=True,
        )
        for n in sizes:
            outcome = Outcome(mode, n, n_servers)
            outcomes.append(outcome)
            if time.monotonic() > deadline - 5:
                outcome.failure = "not run: out of time"
                continue
            assembly_id, motion_id, options = prepare_vote(population, n, f"{mode}, {n}")
            for conn in connections.all():
                conn.close()  # the servers write now; SQLite must not see us holding a lock
            asyncio.run(
                live_vote(
                    outcome,
                    servers,
                    population,
                    assembly_id,
                    motion_id,
                    options,
                    deadline,
                    compression=compression,
                )
            )
            check_database(outcome, motion_id, options, outcome.received_result)
            logged = [line for s in servers for line in s.errors_logged()]
            outcome.checks.append(("no server traceback", not logged))
            print(f"{mode}, {n} members: {summary(outcome)}", flush=True)
            if logged:
                for server in servers:
                    print(f"  {server.name} log:\n{server.tail(15)}")
    finally:
        for server in servers:
            server.stop()
    return outcomes


# --- Report ------------------------------------------------------------------------------------------


def summary(o):
    if o.failure and not o.result_ms:
        return f"FAILED ({o.failure})"
    return (
        f"connect {o.connect_s:.1f} s, {o.votes_per_s:.0f} votes/s, close→result "
        f"p99 {percentile(o.result_ms, 99):.0f} ms" + (f" — {o.failure}" if o.failure else "")
    )


def report(outcomes, skipped, database_label, compression):
    load = " / ".join(f"{value:.1f}" for value in os.getloadavg())
    print(
        f"\nLive vote over WebSockets; database: {database_label}; "
        f"permessage-deflate {'on' if compression else 'off'}"
    )
    print(
        "The client (this process, one asyncio loop) runs on the same machine as the servers: "
        "its own overhead is in every figure."
    )
    print(f"Load average at the end (1 / 5 / 15 min): {load} on {os.cpu_count()} CPUs\n")
    header = (
        f"{'mode':8} {'srv':>3} {'members':>7} {'connect s':>9} {'open p99':>8} "
        f"{'votes/s':>7} {'ack p50':>7} {'ack p99':>7} "
        f"{'result p50':>10} {'p99':>6} {'max':>6} {'received':>9} {'tally=sent':>10}"
    )
    print(header)
    print("-" * len(header))
    failed = []
    for o in outcomes:
        tally = dict(o.checks).get("stored tally = votes sent") and dict(o.checks).get(
            "ballots per option = sent"
        )
        print(
            f"{o.mode:8} {o.servers:3} {o.members:7} {o.connect_s:9.1f} "
            f"{percentile(o.open_seen_ms, 99):8.0f} {o.votes_per_s:7.0f} "
            f"{percentile(o.vote_ms, 50):7.0f} {percentile(o.vote_ms, 99):7.0f} "
            f"{percentile(o.result_ms, 50):10.0f} {percentile(o.result_ms, 99):6.0f} "
            f"{max(o.result_ms, default=float('nan')):6.0f} "
            f"{len(o.result_ms):>4}/{o.members:<4} {'yes' if tally else 'NO':>10}"
        )
        if o.failure:
            failed.append(f"{o.mode}, {o.members}: {o.failure}")
        failed += [f"{o.mode}, {o.members}: {name}" for name, ok in o.checks if not ok]
        for error in {repr(e)[:160] for e in o.errors[:50]}:
            print(f"    error frame: {error}")
    print("(times in ms unless marked; open p99: chair's open → each member sees the vote open)")
    print(
        "\nWhere the CPU went, per phase: wall seconds, then CPU seconds of this client and of "
        "the server(s);\nloop lag: how late the client's event loop woke up at worst during "
        "the close (it stamps receive times)"
    )
    print(
        f"{'mode':8} {'members':>7} {'connect wall/client/srv':>24} {'vote wall/client/srv':>22}"
        f" {'close wall/client/srv':>22} {'loop lag ms':>11}"
    )
    for o in outcomes:
        cells = []
        for name, width in (("connect", 24), ("vote", 22), ("close", 22)):
            wall, client, server = o.cpu.get(name, (math.nan,) * 3)
            cells.append(f"{f'{wall:.1f} / {client:.1f} / {server:.1f}':>{width}}")
        print(f"{o.mode:8} {o.members:7} {' '.join(cells)} {o.loop_lag_ms:11.0f}")
    for line in skipped:
        print(f"Skipped: {line}")
    print("\nCorrectness: " + ("every check passed." if not failed else f"{len(failed)} FAILED"))
    for line in failed:
        print(f"  FAIL {line}")
    at_target = [o for o in outcomes if o.members >= TARGET_MEMBERS]
    target_ok = bool(at_target) and all(o.on_target for o in at_target)
    if at_target:
        print(
            f"Target (result to {TARGET_MEMBERS} members, p99 < {TARGET_P99_MS} ms, no vote "
            "lost): "
            + ", ".join(
                f"{o.mode} {'met' if o.on_target else 'MISSED'}"
                f" (p99 {percentile(o.result_ms, 99):.0f} ms)"
                for o in at_target
            )
        )
    return not failed, target_ok or not at_target


# --- Main --------------------------------------------------------------------------------------------


def answers_postgres(url):
    try:
        import psycopg

        with psycopg.connect(url, connect_timeout=3) as conn:
            conn.execute("SELECT 1")
        return True
    except Exception:
        return False


def answers_redis(url):
    try:
        import redis

        client = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
        client.ping()
        client.close()
        return True
    except Exception:
        return False


def forget_redis_keys(url, prefixes):
    """The cache keys the servers may have written under our prefixes."""
    try:
        import redis

        client = redis.Redis.from_url(url, socket_timeout=5)
        for prefix in prefixes:
            keys = list(client.scan_iter(match=f"{prefix}*", count=1000))
            if keys:
                client.delete(*keys)
        client.close()
    except Exception as error:
        print(f"(Redis cleanup: {error})", file=sys.stderr)


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", default="500,1000", help="comma separated sizes")
    parser.add_argument("--modes", default="memory,redis", help="memory, redis or both")
    parser.add_argument("--max-seconds", type=int, default=600)
    parser.add_argument("--no-deflate", action="store_true", help="do not offer permessage-deflate")
    parser.add_argument(
        "--app",
        default="config.asgi:application",
        help="the ASGI application the servers run (to compare a change)",
    )
    parser.add_argument("--strict", action="store_true", help="exit 1 when a check fails")
    args = parser.parse_args()
    try:
        sizes = [int(s) for s in args.members.split(",") if s.strip()]
    except ValueError:
        parser.error("--members: numbers separated by commas")
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if not sizes or min(sizes) < 1 or any(m not in ("memory", "redis") for m in modes):
        parser.error("--members ≥ 1; --modes among memory, redis")
    compression = None if args.no_deflate else "deflate"

    # Ctrl-C, SIGTERM and the time limit leave through the finally blocks: clients closed,
    # servers ended by PID, database dropped.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))

    def time_is_up(*_):
        raise TimeIsUp(f"stopped after {args.max_seconds} s")

    signal.signal(signal.SIGALRM, time_is_up)
    signal.alarm(args.max_seconds)
    deadline = time.monotonic() + args.max_seconds - 15  # leaves time to clean up

    skipped = []
    redis_url = os.environ.get("REDIS_URL", "")
    if "redis" in modes:
        if not os.environ.get("DATABASE_URL") and answers_postgres(DEFAULT_POSTGRES):
            os.environ["DATABASE_URL"] = DEFAULT_POSTGRES
        if not redis_url and answers_redis(DEFAULT_REDIS):
            redis_url = DEFAULT_REDIS
        database_url = os.environ.get("DATABASE_URL", "")
        if not database_url.startswith(("postgres://", "postgresql://")):
            skipped.append(
                "redis mode: needs PostgreSQL (DATABASE_URL, or " + DEFAULT_POSTGRES + ")"
            )
            modes.remove("redis")
        elif not redis_url or not answers_redis(redis_url):
            skipped.append(f"redis mode: Redis not answering ({redis_url or DEFAULT_REDIS})")
            modes.remove("redis")
    for line in skipped:
        print(f"Skipped: {line}")

    # 1,000 client sockets, their server ends, the database connections.
    limit = raise_open_files(4 * max(sizes) + 512)
    log_dir = tempfile.mkdtemp(prefix="qc-bench-live-")
    prefix = f"qcbench{os.getpid()}"
    outcomes = []
    ok = target_ok = True
    try:
        with BenchDatabase() as database:
            print(f"Database: {database.label}; open files limit {limit}")
            setup_django()
            from django.core.management import call_command

            started = time.perf_counter()
            call_command("migrate", verbosity=0, interactive=False)
            print(f"Migrated in {time.perf_counter() - started:.0f} s.", flush=True)
            population = seed_population(max(sizes))
            print(f"Seeded {len(population.residents):,} residents with their sessions.")
            from django.db import connections

            for conn in connections.all():
                conn.close()
            base_env = {
                "DJANGO_ENV": "test",
                "DEBUG": "false",
                "LOG_LEVEL": "WARNING",
                "DATABASE_URL": os.environ["DATABASE_URL"],
                "PYTHONUNBUFFERED": "1",
            }
            for mode in modes:
                env = dict(base_env)
                if mode == "redis":
                    env.update(REDIS_URL=redis_url, CHANNELS_PREFIX=prefix, CACHE_PREFIX=prefix)
                else:
                    env["REDIS_URL"] = ""  # the in-memory channel layer and cache
                outcomes += run_mode(
                    mode,
                    sizes,
                    population,
                    env,
                    2 if mode == "redis" else 1,
                    log_dir,
                    deadline,
                    compression,
                    args.app,
                )
            ok, target_ok = report(outcomes, skipped, database.label, compression)
    finally:
        signal.alarm(0)
        if "redis" in modes and redis_url:
            forget_redis_keys(redis_url, [prefix])
        shutil.rmtree(log_dir, ignore_errors=True)
    if args.strict and not (ok and target_ok):
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
