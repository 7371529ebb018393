from django.urls import path

from civic.privacy import views

app_name = "privacy"

urlpatterns = [
    path("", views.privacy_page, name="page"),
    path("registre/", views.register_page, name="register"),
    path("registre.csv", views.register_csv, name="register_csv"),
]
