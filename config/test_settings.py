"""Settings for the test suite: the normal settings with DJANGO_ENV=test."""

import os

os.environ["DJANGO_ENV"] = "test"

from config.settings import *  # noqa: E402, F403
