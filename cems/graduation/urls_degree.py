"""Degree audit pages and degree records (see urls.py)."""

from django.urls import URLPattern

urlpatterns: list[URLPattern] = []
