"""See urls.py: assessment, completion, certificates and the trainee portal."""

from django.urls import URLPattern, path

from cems.training import views_certificates as views

urlpatterns: list[URLPattern] = [
    path("enrollments/<int:pk>/assessment/", views.assessment_entry, name="assessment_entry"),
    path("enrollments/<int:pk>/certificate/", views.certificate_issue, name="certificate_issue"),
    path(
        "projects/<int:pk>/certificates/",
        views.project_certificates,
        name="project_certificates",
    ),
    path(
        "projects/<int:pk>/certificates.pdf",
        views.project_certificates_pdf,
        name="project_certificates_pdf",
    ),
    path("certificates/", views.certificate_list, name="certificate_list"),
    path("certificates/pdf/", views.certificate_list_pdf, name="certificate_list_pdf"),
    path("certificates/refresher/", views.refresher_enroll, name="refresher_enroll"),
    path("certificates/<int:pk>/", views.certificate_detail, name="certificate_detail"),
    path("certificates/<int:pk>/pdf/", views.certificate_pdf, name="certificate_pdf"),
    path("certificates/<int:pk>/review/", views.certificate_review, name="certificate_review"),
    path("certificates/<int:pk>/revoke/", views.certificate_revoke, name="certificate_revoke"),
    path("mine/", views.portal, name="portal"),
    path(
        "mine/certificates/<int:pk>/pdf/",
        views.portal_certificate_pdf,
        name="portal_certificate_pdf",
    ),
]
