"""CEMS's own WSGI application (cems.wsgi), with Django's errors written to stderr.

With DEBUG off Django logs a failed request only to the admins' mail; under test its
traceback ("database is locked", ...) must reach gunicorn's error log, which the load test
reads. Nothing else differs from `gunicorn cems.wsgi`."""

import logging

from cems.wsgi import application

_handler = logging.StreamHandler()
_handler.setLevel(logging.ERROR)
_handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
logging.getLogger("django").addHandler(_handler)

__all__ = ["application"]
