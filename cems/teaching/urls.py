from django.urls import path

from cems.teaching import urls_changes, urls_grid, urls_sheet, urls_transcripts, views

app_name = "teaching"
urlpatterns = [
    path("terms/", views.term_list, name="term_list"),
    path("terms/new/", views.term_create, name="term_create"),
    path("terms/<int:pk>/generate/", views.term_generate, name="term_generate"),
    path("offerings/", views.offering_list, name="offering_list"),
    path("offerings/mine/", views.my_offerings, name="my_offerings"),
    path("offerings/<int:pk>/", views.offering_detail, name="offering_detail"),
    path("offerings/<int:pk>/teacher/", views.offering_assign, name="offering_assign"),
]
# Grades: the grid and submission, the Excel sheet, change requests and retakes, transcripts.
urlpatterns += urls_grid.urlpatterns
urlpatterns += urls_sheet.urlpatterns
urlpatterns += urls_changes.urlpatterns
urlpatterns += urls_transcripts.urlpatterns
