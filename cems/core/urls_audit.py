from django.urls import path

from cems.core import views_audit

app_name = "audit_trail"

urlpatterns = [
    path("", views_audit.event_list, name="list"),
]
