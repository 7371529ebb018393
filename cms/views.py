from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.template.response import TemplateResponse
from wagtail.models import Page

SEARCH_PAGE_SIZE = 10
MAX_QUERY_LENGTH = 200


def search(request):
    query = request.GET.get("q", "").strip()[:MAX_QUERY_LENGTH]
    results = (
        Page.objects.live().public().specific().search(query) if query else Page.objects.none()
    )
    paginator = Paginator(results, SEARCH_PAGE_SIZE)
    try:
        page_obj = paginator.page(request.GET.get("page", 1))
    except PageNotAnInteger:
        page_obj = paginator.page(1)
    except EmptyPage:
        page_obj = paginator.page(paginator.num_pages)
    return TemplateResponse(
        request, "cms/search.html", {"query": query, "page_obj": page_obj, "results": page_obj}
    )


def _wants_json(request):
    return request.path.startswith("/api/")


def page_not_found(request, exception=None):
    if _wants_json(request):
        return JsonResponse({"error": {"code": "not_found", "message": "Not found."}}, status=404)
    return render(request, "404.html", status=404)


def server_error(request):
    if _wants_json(request):
        return JsonResponse(
            {"error": {"code": "server_error", "message": "Server error."}}, status=500
        )
    # No request context: the context processors may need the database that just failed.
    return HttpResponseServerError(loader.get_template("500.html").render())
