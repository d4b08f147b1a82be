"""The annual statistical return (年报), mounted at /reports/annual/."""

from django.urls import path

from cems.reports import views_annual

app_name = "annual_return"
urlpatterns = [
    path("", views_annual.annual_return_page, name="page"),
]
