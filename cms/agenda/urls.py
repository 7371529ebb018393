"""Addresses ending in ".ics", which Wagtail's page routes cannot serve (they only match
paths ending with a slash). To offer /agenda/agenda.ics, include this module before
Wagtail's catch-all in ``config/urls.py``::

    path("", include("cms.agenda.urls")),

Without it, the same feed is served by the agenda page itself at /agenda/ics/.
"""

from django.http import Http404
from django.urls import path
from django.views.decorators.http import require_http_methods

from cms.agenda import views
from cms.agenda.models import EventIndexPage


@require_http_methods(["GET", "HEAD"])
def agenda_feed(request):
    index = EventIndexPage.objects.live().public().first()
    if index is None:
        raise Http404
    return views.agenda_feed(request, index)


urlpatterns = [path("agenda/agenda.ics", agenda_feed, name="agenda_feed")]
