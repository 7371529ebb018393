from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_view,
)
from rest_framework import viewsets
from rest_framework.permissions import AllowAny

from api.errors import ErrorSerializer
from api.filters import NewsFilter
from api.serializers import NeighbourhoodSerializer, NewsDetailSerializer, NewsListSerializer
from civic.territory.models import Neighbourhood
from cms.models import NewsPage

INVALID = OpenApiResponse(ErrorSerializer, description="Invalid filter, e.g. a malformed date.")
NO_PAGE = OpenApiResponse(ErrorSerializer, description="No such page of results.")
NOT_FOUND = OpenApiResponse(ErrorSerializer, description="Unknown or unpublished resource.")


@extend_schema_view(
    list=extend_schema(responses={200: NeighbourhoodSerializer(many=True), 404: NO_PAGE}),
    retrieve=extend_schema(responses={200: NeighbourhoodSerializer, 404: NOT_FOUND}),
)
class NeighbourhoodViewSet(viewsets.ReadOnlyModelViewSet):
    """The neighbourhoods (quartiers) of the Régie, open to residents."""

    queryset = Neighbourhood.objects.active().select_related("regie")
    serializer_class = NeighbourhoodSerializer
    permission_classes = [AllowAny]
    lookup_field = "slug"
    lookup_value_regex = r"[-a-zA-Z0-9_]+"
    filterset_fields = []


@extend_schema_view(
    list=extend_schema(responses={200: NewsListSerializer(many=True), 400: INVALID, 404: NO_PAGE}),
    retrieve=extend_schema(
        parameters=[
            OpenApiParameter("id", int, OpenApiParameter.PATH, description="The article's id.")
        ],
        responses={200: NewsDetailSerializer, 404: NOT_FOUND},
    ),
)
class NewsViewSet(viewsets.ReadOnlyModelViewSet):
    """Published news articles, newest first. Drafts and private pages are never listed."""

    # Typed for the schema; the real list comes from get_queryset().
    queryset = NewsPage.objects.none()
    permission_classes = [AllowAny]
    filterset_class = NewsFilter
    # Page ids are integers: anything else is an unknown path (JSON 404), never a 500.
    lookup_value_regex = r"[0-9]+"

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            # Schema generation: public() queries view restrictions, keep the database out.
            return NewsPage.objects.none()
        return (
            NewsPage.objects.live()
            .public()
            .select_related("neighbourhood")
            .order_by("-date", "-pk")
        )

    def get_serializer_class(self):
        return NewsDetailSerializer if self.action == "retrieve" else NewsListSerializer
