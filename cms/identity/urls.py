from django.urls import path

from . import views

urlpatterns = [
    path("identite/couleur.css", views.accent_css, name="identity_accent_css"),
]
