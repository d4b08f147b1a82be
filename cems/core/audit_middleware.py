"""Records denied accesses in the audit trail, and makes the request known to the audit trail
while it is handled (for the actor and address of events recorded by model signals).

Goes after AuthenticationMiddleware in settings.MIDDLEWARE.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase

from cems.core.audit import record, request_context

DENIED = (403, 404)


class AuditMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        with request_context(request):
            response = self.get_response(request)
            if response.status_code in DENIED and _worth_logging(request):
                _log_denied(request, response.status_code)
        return response


def _worth_logging(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return False
    unlogged = [settings.STATIC_URL, settings.MEDIA_URL, "/favicon.ico"]
    return not any(prefix and request.path.startswith(str(prefix)) for prefix in unlogged)


def _log_denied(request: HttpRequest, status: int) -> None:
    """The path without its query string, the method, the user and the status: no data the
    request asked for."""
    path = request.path[:200]
    record(
        actor=request.user,
        action="access.denied",
        summary=f"{request.method} {path} {status}",
        details={"path": path, "method": request.method, "status": status},
        request=request,
    )
