from django.urls import path

from civic.accounts import views
from civic.privacy import views as privacy_views

app_name = "accounts"

urlpatterns = [
    path("", views.profile, name="profile"),
    path("inscriptions/", views.my_registrations, name="registrations"),
    path("supprimer/", views.delete_account, name="delete"),
    # POST only, for the logged-in person: see civic.privacy.views.export_my_data.
    path("mes-donnees/", privacy_views.export_my_data, name="export"),
]
