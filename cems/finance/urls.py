"""Fee pages, at /fees/."""

from django.urls import path

from cems.finance import views

app_name = "finance"
urlpatterns = [
    path("items/", views.item_list, name="item_list"),
    path("items/new/", views.item_create, name="item_create"),
    path("items/<int:pk>/edit/", views.item_edit, name="item_edit"),
    path("charges/", views.charge_raise, name="charge_raise"),
    path("students/<int:pk>/", views.account, name="account"),
    path("students/<int:pk>/record/", views.entry_record, name="entry_record"),
    path("mine/", views.my_account, name="my_account"),
    path("payments/import/", views.import_upload, name="import_upload"),
    path("payments/imports/", views.import_list, name="import_list"),
    path("payments/rows/", views.row_list, name="row_list"),
    path("payments/rows/<int:pk>/", views.row_detail, name="row_detail"),
    path("payments/rows/<int:pk>/resolve/", views.row_resolve, name="row_resolve"),
    path("payments/rows/<int:pk>/dismiss/", views.row_dismiss, name="row_dismiss"),
    path("arrears/", views.arrears_students, name="arrears_students"),
    path("arrears/stations/", views.arrears_stations, name="arrears_stations"),
]
