"""CEMS's own WSGI application (cems.wsgi), with Django's errors written to stderr and, on
SQLite, the write lock traced (loadtest.trace).

With DEBUG off Django logs a failed request only to the admins' mail; under test its
traceback ("database is locked", ...) must reach gunicorn's error log, which the load test
reads. Nothing else differs from `gunicorn cems.wsgi`."""

import logging
import os
from collections.abc import Callable, Iterable
from typing import Any

from django.db import connections

from cems.wsgi import application as cems_application
from loadtest import trace

_handler = logging.StreamHandler()
_handler.setLevel(logging.ERROR)
_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
logging.getLogger("django").addHandler(_handler)

application: Callable[..., Iterable[Any]] = cems_application
if os.environ.get("LOADTEST_TRACE") and connections["default"].vendor == "sqlite":
    trace.install()
    application = trace.wrap(cems_application)

__all__ = ["application"]
