from django.urls import path

from civic.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.profile, name="profile"),
    path("supprimer/", views.delete_account, name="delete"),
]
