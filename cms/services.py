from django.db import transaction
from wagtail.models import PageLogEntry

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


# Log actions Wagtail records for a publication (the editor, workflow, scheduled publishing).
PUBLISH_LOG_ACTIONS = ("wagtail.publish", "wagtail.publish.scheduled")


def is_first_publication(page):
    """Is the publication being signalled the page's first one?

    Wagtail stamps first_published_at and last_published_at with the same instant on the
    first publication, and only moves last_published_at afterwards. But publishing from a
    stale instance (a script that keeps the object it created and publishes it again)
    resets first_published_at too, so the page's log is checked as well: Wagtail writes
    this publication's entry after sending the signal, so any entry is an earlier one.
    """
    if page.first_published_at is None or page.first_published_at != page.last_published_at:
        return False
    earlier = PageLogEntry.objects.filter(page_id=page.pk, action__in=PUBLISH_LOG_ACTIONS)
    return not earlier.exists()


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
    transaction.on_commit(
        lambda: send_to_groups(target_groups, "news.published", payload), robust=True
    )
