from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from api import views
from api.errors import not_found_view

router = DefaultRouter()
router.register("neighbourhoods", views.NeighbourhoodViewSet, basename="neighbourhood")
router.register("news", views.NewsViewSet, basename="news")

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    path("", include(router.urls)),
    # Unknown API paths answer in JSON too, never with the HTML 404 page.
    re_path(r"^.*$", not_found_view),
]
