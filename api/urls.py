from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularAPIView, SpectacularRedocView, SpectacularSwaggerView
from rest_framework.routers import DefaultRouter

from api import views
from api.errors import not_found_view


class ApiRouter(DefaultRouter):
    """The API root also links to the API mounted elsewhere under /api/ (the proposals);
    a link that does not resolve is left out, never an error."""

    extra_root_links = {"proposals": "proposals_api:proposal-list"}

    def get_api_root_view(self, api_urls=None):
        list_name = self.routes[0].name
        api_root_dict = {
            prefix: list_name.format(basename=basename)
            for prefix, _viewset, basename in self.registry
        }
        api_root_dict.update(self.extra_root_links)
        return self.APIRootView.as_view(api_root_dict=api_root_dict)


router = ApiRouter()
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
