"""Public pages (no sign-in): transcript verification, at /transcripts/."""

from django.urls import URLPattern

app_name = "transcripts"
urlpatterns: list[URLPattern] = []
