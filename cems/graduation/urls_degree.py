"""Degree audit pages and degree records (see urls.py)."""

from django.urls import URLPattern, path

from cems.graduation import degree_views as views

urlpatterns: list[URLPattern] = [
    path("degrees/", views.degree_list, name="degree_list"),
    path("degrees/audits/", views.audit_list, name="degree_audit_list"),
    path("degrees/audits/start/", views.audit_start, name="degree_audit_start"),
    path("degrees/audits/<int:pk>/", views.audit_results, name="degree_audit_results"),
    path("degrees/audits/<int:pk>/approve/", views.audit_approve, name="degree_audit_approve"),
    path("degrees/theses/", views.thesis_list, name="degree_thesis_list"),
    path("degrees/theses/<int:pk>/", views.thesis_edit, name="degree_thesis_edit"),
    path("degrees/discipline/", views.discipline_list, name="degree_discipline_list"),
    path("degrees/discipline/add/", views.discipline_add, name="degree_discipline_add"),
    path(
        "degrees/discipline/<int:pk>/revoke/",
        views.discipline_revoke,
        name="degree_discipline_revoke",
    ),
    path("degrees/language/", views.language_list, name="degree_language_list"),
    path("degrees/language/import/", views.language_import, name="degree_language_import"),
]
