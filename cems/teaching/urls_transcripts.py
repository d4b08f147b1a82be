"""Grade pages: see cems/teaching/urls.py."""

from django.urls import URLPattern, path

from cems.teaching import transcript_views

urlpatterns: list[URLPattern] = [
    path(
        "transcripts/students/<int:pk>/",
        transcript_views.transcript_student,
        name="transcript_student",
    ),
    path(
        "transcripts/classes/<int:pk>/", transcript_views.transcript_class, name="transcript_class"
    ),
]
