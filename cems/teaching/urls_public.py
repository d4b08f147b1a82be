"""Public pages (no sign-in): transcript verification, at /transcripts/."""

from django.urls import URLPattern, path

from cems.teaching import transcript_views

app_name = "transcripts"
urlpatterns: list[URLPattern] = [
    path("verify/", transcript_views.verify, name="verify"),
    path("verify/<str:code>/", transcript_views.verify_code, name="verify_code"),
]
