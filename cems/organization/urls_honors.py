from django.urls import path

from cems.organization import views_honors as views

app_name = "honors"
urlpatterns = [
    path("", views.honor_list, name="list"),
    path("new/", views.honor_create, name="create"),
    path("<int:pk>/edit/", views.honor_edit, name="edit"),
    path("<int:pk>/delete/", views.honor_delete, name="delete"),
    path("<int:pk>/image/", views.honor_image, name="image"),
]
