"""How long a sign-in lasts, and ending it.

- Idle timeout: a session ends after settings.CEMS_IDLE_TIMEOUT_MINUTES without a request.
- Absolute limit: a session ends settings.SESSION_COOKIE_AGE (8 hours) after signing in,
  however busy the user is.
- Disabling a user (is_active=False, by the admin or any save) deletes all their sessions.

Both limits are kept by `SessionTimeoutMiddleware` from two times stored in the session
(when the user signed in, when they were last seen) rather than by SESSION_SAVE_EVERY_REQUEST
with a 30-minute SESSION_COOKIE_AGE: that would write the session on every request (each
grade cell saved by htmx) and would slide the expiry forward forever, so the 8-hour limit
would be lost. Django also moves a session's expiry forward each time the session is saved,
which is why the absolute limit is checked here too. The last-seen time is written at most
once a minute.
"""

import logging
import time
from collections.abc import Callable
from importlib import import_module
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import SESSION_KEY, logout
from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import post_save
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _

from cems.accounts.models import User

log = logging.getLogger("cems.accounts")

SIGNED_IN_AT = "_cems_signed_in_at"
LAST_SEEN = "_cems_last_seen"
# The last-seen time is rewritten once it is this old (seconds): fewer session writes.
LAST_SEEN_RESOLUTION = 60


def _now() -> int:
    return int(time.time())


def idle_timeout_seconds() -> int:
    return int(settings.CEMS_IDLE_TIMEOUT_MINUTES) * 60


def expired(session: Any, now: int) -> str | None:
    """Why a signed-in session is over ("idle" or "absolute"), or None while it lasts."""
    signed_in_at = session.get(SIGNED_IN_AT)
    last_seen = session.get(LAST_SEEN)
    if isinstance(signed_in_at, int) and now - signed_in_at > settings.SESSION_COOKIE_AGE:
        return "absolute"
    if isinstance(last_seen, int) and now - last_seen > idle_timeout_seconds():
        return "idle"
    return None


class SessionTimeoutMiddleware:
    """Signs out a user whose session is over; the request then goes on as anonymous (a
    page that needs sign-in sends them to the sign-in page, with a message saying why)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        if request.user.is_authenticated:
            self._check(request)
        return self.get_response(request)

    def _check(self, request: HttpRequest) -> None:
        session = request.session
        now = _now()
        reason = expired(session, now)
        if reason is not None:
            logout(request)
            if reason == "idle":
                text = _("You were signed out after %(minutes)d minutes without activity.") % {
                    "minutes": settings.CEMS_IDLE_TIMEOUT_MINUTES
                }
            else:
                text = _("You were signed out %(hours)d hours after signing in.") % {
                    "hours": settings.SESSION_COOKIE_AGE // 3600
                }
            messages.info(request, text, fail_silently=True)
            return
        if SIGNED_IN_AT not in session:  # signed in before these limits existed
            session[SIGNED_IN_AT] = now
        last_seen = session.get(LAST_SEEN)
        if not isinstance(last_seen, int) or now - last_seen >= LAST_SEEN_RESOLUTION:
            session[LAST_SEEN] = now


def mark_signed_in(sender: Any, request: HttpRequest, user: User, **kwargs: Any) -> None:
    """user_logged_in: the session's clock starts."""
    session = getattr(request, "session", None)
    if session is not None:
        now = _now()
        session[SIGNED_IN_AT] = now
        session[LAST_SEEN] = now


def end_sessions(user: User) -> int:
    """Delete every current session of the user; how many there were.

    The sessions are found by scanning the unexpired ones rather than through a table of
    user -> session keys kept at sign-in: no model to keep in step, nothing missed whatever
    created the session (sign-in page, admin, tests' force_login), and the scan runs only
    when an inactive user is saved, which is rare. The session engine must keep its sessions
    in the database (Django's default); with another engine Django's authentication still
    refuses an inactive user on their next request."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    get_model = getattr(store, "get_model_class", None)
    if get_model is None:
        log.warning("sessions of %s not deleted: %s", user.username, settings.SESSION_ENGINE)
        return 0
    model = get_model()
    user_id = str(user.pk)
    ended = []
    current = model.objects.filter(expire_date__gt=timezone.now())
    for key, data in current.values_list("session_key", "session_data").iterator():
        decoded = store().decode(data)
        if str(decoded.get(SESSION_KEY)) == user_id:
            ended.append(key)
    if ended:
        model.objects.filter(session_key__in=ended).delete()
        if settings.SESSION_ENGINE.endswith("cached_db"):
            for key in ended:
                store(session_key=key).delete()
    log.info("%d session(s) of %s ended", len(ended), user.username)
    return len(ended)


def end_sessions_of_inactive_user(sender: Any, instance: User, **kwargs: Any) -> None:
    """post_save of a user: a disabled user is signed out everywhere at once."""
    if not instance.is_active and instance.pk is not None:
        end_sessions(instance)


def connect() -> None:
    """Called from AccountsConfig.ready()."""
    user_logged_in.connect(mark_signed_in, dispatch_uid="cems.sessions.mark_signed_in")
    post_save.connect(
        end_sessions_of_inactive_user,
        sender=User,
        dispatch_uid="cems.sessions.end_sessions_of_inactive_user",
    )
