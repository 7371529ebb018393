"""Settings come from the environment: checked in fresh processes, as a deployment would."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
STRONG_KEY = "k3y-for-tests-only-9fQ!x2@Lm#8Zr$4Tb%7Wc^1Yd&6Ve*0Ug(5Sh)3Ni_2Oj+Pk"


def run_manage(*args, **env_overrides):
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in {"DJANGO_ENV", "DATABASE_URL", "REDIS_URL", "SECRET_KEY", "ALLOWED_HOSTS"}
    }
    env["DJANGO_SETTINGS_MODULE"] = "config.settings"
    env.update(env_overrides)
    return subprocess.run(  # noqa: S603 - fixed arguments, our own manage.py
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def show_setting(expression, **env):
    code = f"from django.conf import settings; print({expression})"
    return run_manage("shell", "-c", code, **env)


def test_production_passes_check_deploy_without_any_warning():
    result = run_manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_ENV="production",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="quartier.example.org",
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key():
    result = run_manage("check", DJANGO_ENV="production", ALLOWED_HOSTS="quartier.example.org")
    assert result.returncode != 0
    assert "SECRET_KEY is required in production" in result.stderr


def test_production_refuses_to_start_without_allowed_hosts():
    result = run_manage("check", DJANGO_ENV="production", SECRET_KEY=STRONG_KEY)
    assert result.returncode != 0
    assert "ALLOWED_HOSTS is required in production" in result.stderr


def test_production_refuses_debug():
    result = run_manage(
        "check",
        DJANGO_ENV="production",
        SECRET_KEY=STRONG_KEY,
        ALLOWED_HOSTS="quartier.example.org",
        DEBUG="1",
    )
    assert result.returncode != 0
    assert "DEBUG cannot be on in production" in result.stderr


def test_embedded_defaults_are_sqlite_and_in_memory_layer():
    result = show_setting(
        "settings.DATABASES['default']['ENGINE'], settings.CHANNEL_LAYERS['default']['BACKEND'],"
        " settings.DEBUG, settings.EMAIL_BACKEND"
    )
    assert result.returncode == 0, result.stderr
    assert "django.db.backends.sqlite3" in result.stdout
    assert "civic.live.layers.RoomSizedInMemoryChannelLayer" in result.stdout
    assert "True" in result.stdout  # DEBUG on in development only
    assert "console.EmailBackend" in result.stdout


def test_database_and_redis_urls_switch_the_backends():
    result = show_setting(
        "settings.DATABASES['default']['ENGINE'], settings.DATABASES['default']['NAME'],"
        " settings.CHANNEL_LAYERS['default']['BACKEND'], settings.CACHES['default']['BACKEND']",
        DATABASE_URL="postgres://someone@127.0.0.1:5432/quartier",
        REDIS_URL="redis://127.0.0.1:6379/3",
    )
    assert result.returncode == 0, result.stderr
    assert "django.db.backends.postgresql" in result.stdout
    assert " quartier " in result.stdout
    assert "channels_redis.pubsub.RedisPubSubChannelLayer" in result.stdout
    assert "config.cache.ResilientRedisCache" in result.stdout
