"""The public certificate verification page, at /verify/ (no sign-in)."""

from django.urls import URLPattern, path

from cems.training import views_certificates

app_name = "verify"
urlpatterns: list[URLPattern] = [path("", views_certificates.verify, name="verify")]
