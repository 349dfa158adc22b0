"""The site's settings, with one more address whose view fails, as a bug in a view would (tests/test_logging.py)."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "tests.crashing_urls"
