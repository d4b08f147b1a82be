"""The public certificate verification page, at /verify/ (no sign-in)."""

from django.urls import URLPattern

app_name = "verify"
urlpatterns: list[URLPattern] = []
