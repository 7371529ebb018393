from rest_framework import viewsets
from rest_framework.permissions import AllowAny

from api.filters import NewsFilter
from api.serializers import NeighbourhoodSerializer, NewsDetailSerializer, NewsListSerializer
from civic.territory.models import Neighbourhood
from cms.models import NewsPage


class NeighbourhoodViewSet(viewsets.ReadOnlyModelViewSet):
    """The neighbourhoods (quartiers) of the Régie, open to residents."""

    queryset = Neighbourhood.objects.active().select_related("regie")
    serializer_class = NeighbourhoodSerializer
    permission_classes = [AllowAny]
    lookup_field = "slug"
    filterset_fields = []


class NewsViewSet(viewsets.ReadOnlyModelViewSet):
    """Published news articles, newest first. Drafts and private pages are never listed."""

    permission_classes = [AllowAny]
    filterset_class = NewsFilter

    def get_queryset(self):
        return (
            NewsPage.objects.live()
            .public()
            .select_related("neighbourhood")
            .order_by("-date", "-pk")
        )

    def get_serializer_class(self):
        return NewsDetailSerializer if self.action == "retrieve" else NewsListSerializer
