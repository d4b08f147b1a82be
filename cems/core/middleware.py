"""Headers that every response carries.

`ContentSecurityPolicyMiddleware` sends the Content-Security-Policy of settings
CEMS_CONTENT_SECURITY_POLICY on every response that has none of its own (a view may set a
stricter one, as the honors' images do). Scripts and styles come from the site's own static
files only: no inline <script>, no on* attributes, no eval, no style="..." and no <style>
(htmx is told not to add its indicator style: base.html's htmx-config).
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest
from django.http.response import HttpResponseBase

HEADER = "Content-Security-Policy"


def policy_text(directives: dict[str, str]) -> str:
    """The header's value: "name value; name value"."""
    return "; ".join(f"{name} {value}".strip() for name, value in directives.items())


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response
        self.policy = policy_text(settings.CEMS_CONTENT_SECURITY_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        if HEADER not in response:
            response[HEADER] = self.policy
        return response
