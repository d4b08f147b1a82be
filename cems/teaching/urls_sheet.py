"""Grade pages: see cems/teaching/urls.py."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
