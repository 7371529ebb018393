from django.db import transaction
from django.utils import formats

from civic.live.broadcast import groups_for_neighbourhood, send_to_groups


def news_payload(page):
    return {
        "id": page.pk,
        "title": page.title,
        "lead": page.lead,
        "url": page.get_url(),
        "date": page.date.isoformat(),
        "date_display": formats.date_format(page.date, "DATE_FORMAT"),
        "neighbourhood": page.neighbourhood.name if page.neighbourhood_id else None,
    }


def announce_news_published(page):
    """Tell open pages of the article's neighbourhood about a newly published article.

    Only the first publication is news: later edits are republished silently.
    """
    if (
        page.first_published_at
        and page.last_published_at
        and (page.last_published_at - page.first_published_at).total_seconds() > 1
    ):
        return
    payload = news_payload(page)
    target_groups = groups_for_neighbourhood(page.neighbourhood_id)
    transaction.on_commit(lambda: send_to_groups(target_groups, "news.published", payload))
