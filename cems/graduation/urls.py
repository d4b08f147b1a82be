"""Graduation and degree pages, at /graduation/ (degree pages in urls_degree.py)."""

from django.urls import URLPattern, path

from cems.graduation import urls_degree, views

app_name = "graduation"
urlpatterns: list[URLPattern] = [
    path("audits/", views.audit_list, name="audit_list"),
    path("audits/new/", views.audit_start, name="audit_start"),
    path("audits/<int:pk>/", views.audit_detail, name="audit_detail"),
    path("audits/<int:pk>/approve/", views.audit_approve, name="audit_approve"),
    path("graduates/", views.graduate_list, name="graduate_list"),
    path("mine/", views.mine, name="mine"),
]
urlpatterns += urls_degree.urlpatterns
