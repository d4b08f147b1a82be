"""Graduation and degree pages, at /graduation/ (degree pages in urls_degree.py)."""

from django.urls import URLPattern

from cems.graduation import urls_degree

app_name = "graduation"
urlpatterns: list[URLPattern] = []
urlpatterns += urls_degree.urlpatterns
