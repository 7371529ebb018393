from django.db import transaction

from civic.live.broadcast import groups_for_neighbourhood, send_to_groups


def news_payload(page):
    """What an open page needs to add the article card (see static/js/live.js).

    Plain values only: the title and lead are sent as typed (never as HTML) and the script
    inserts them with textContent. The date is sent as ISO and formatted by the browser in
    the page's language, not in the language of the editor who published.
    """
    return {
        "id": page.pk,
        "title": page.title,
        "lead": page.lead,
        "url": page.get_url(),
        "date": page.date.isoformat(),
        "neighbourhood": page.neighbourhood.name if page.neighbourhood_id else None,
    }


def is_first_publication(page):
    """Wagtail stamps both dates with the same instant on the first publication only;
    every later publication (an edit, a revert, a republication) moves last_published_at."""
    return page.first_published_at is not None and page.first_published_at == page.last_published_at


def announce_news_published(page):
    """Tell open pages of the article's neighbourhood about a newly published article.

    Only the first publication is news: later edits are republished silently. Articles
    behind a view restriction (login, password, groups), on the page or an ancestor, are
    not announced to the public channel: they are not listed on the site either.
    """
    if not is_first_publication(page):
        return
    if page.get_view_restrictions().exists():
        return
    payload = news_payload(page)
    target_groups = groups_for_neighbourhood(page.neighbourhood_id)
    transaction.on_commit(lambda: send_to_groups(target_groups, "news.published", payload))
