"""A per-installation secret key for the zero-configuration run.

Shipping a fixed default key would let anyone forge sessions on every
installation that forgot SECRET_KEY; generating one per start would sign
everybody out on each restart. So the first start writes a random key to a
file only its owner can read, and later starts reuse it. Deployments with
several processes or hosts set SECRET_KEY in the environment instead.
"""

import os
from pathlib import Path

from django.core.management.utils import get_random_secret_key


def load_or_create_secret_key(path: Path) -> str:
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    path.parent.mkdir(parents=True, exist_ok=True)
    # Write a private temporary file, then link it into place: the link is
    # atomic, so when two processes start at once one key wins, whole, and
    # both use it.
    temporary = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as file:
        file.write(get_random_secret_key())
    try:
        os.link(temporary, path)
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
    return path.read_text().strip()
