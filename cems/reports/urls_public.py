from django.urls import path

from cems.reports import views_public

app_name = "public"
urlpatterns = [
    path("", views_public.home, name="home"),
]
