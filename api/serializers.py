from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from civic.links import page_url
from civic.territory.models import Neighbourhood, Regie
from cms.models import NewsPage


class RegieSerializer(serializers.ModelSerializer):
    class Meta:
        model = Regie
        fields = ["id", "name", "address", "postal_code", "city", "email", "phone", "website"]


class NeighbourhoodSerializer(serializers.ModelSerializer):
    regie = RegieSerializer(read_only=True)

    class Meta:
        model = Neighbourhood
        fields = ["id", "name", "slug", "description", "regie"]


class NewsNeighbourhoodSerializer(serializers.ModelSerializer):
    class Meta:
        model = Neighbourhood
        fields = ["id", "name", "slug"]


class NewsListSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()
    neighbourhood = NewsNeighbourhoodSerializer(
        read_only=True, allow_null=True, help_text="null for news of every quartier."
    )

    class Meta:
        model = NewsPage
        fields = [
            "id",
            "title",
            "slug",
            "date",
            "lead",
            "neighbourhood",
            "url",
            "first_published_at",
        ]

    @extend_schema_field(serializers.URLField())
    def get_url(self, page):
        return page_url(page, self.context.get("request"))


class NewsDetailSerializer(NewsListSerializer):
    body_html = serializers.SerializerMethodField(
        help_text="The article's body rendered as HTML (sanitised by the editor)."
    )

    class Meta(NewsListSerializer.Meta):
        fields = [*NewsListSerializer.Meta.fields, "body_html"]

    @extend_schema_field(serializers.CharField())
    def get_body_html(self, page):
        return str(page.body.render_as_block())
