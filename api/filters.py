import django_filters
from django.db.models import Q

from cms.models import NewsPage


class NewsFilter(django_filters.FilterSet):
    neighbourhood = django_filters.CharFilter(
        method="filter_neighbourhood",
        help_text="Slug of a neighbourhood: its articles and those for every neighbourhood.",
    )
    since = django_filters.DateFilter(
        field_name="date",
        lookup_expr="gte",
        help_text="Only articles dated on or after this day (YYYY-MM-DD).",
    )

    class Meta:
        model = NewsPage
        fields = ["neighbourhood", "since"]

    def filter_neighbourhood(self, queryset, name, value):
        return queryset.filter(Q(neighbourhood__slug=value) | Q(neighbourhood__isnull=True))
