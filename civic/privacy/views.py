"""The privacy page, the register of processing (staff) and the download of one's data."""

import csv

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_POST

from civic.exports import spreadsheet_safe
from civic.privacy import export, register, retention, rules
from civic.territory.models import Regie


def contact():
    """Who residents write to about their data: the Régie's address, else a setting."""
    regie = Regie.objects.exclude(email="").order_by("pk").first()
    email = regie.email if regie else getattr(settings, "PRIVACY_CONTACT_EMAIL", "")
    return {"regie": regie or Regie.objects.order_by("pk").first(), "email": email}


@require_GET
def privacy_page(request):
    return render(
        request,
        "privacy/page.html",
        {
            "retention": retention.current(),
            "processings": register.processings(),
            "export_keys": export.KEYS,
            "contact": contact(),
        },
    )


def _require_register_access(request):
    if not rules.can_view_register(request.user):
        raise PermissionDenied


@login_required
@require_GET
def register_page(request):
    _require_register_access(request)
    return render(
        request,
        "privacy/register.html",
        {
            "columns": register.column_labels(),
            "processings": register.processings(),
            "contact": contact(),
        },
    )


@login_required
@require_GET
def register_csv(request):
    """The register as CSV for a spreadsheet (UTF-8 with BOM, ";"), cells neutralised."""
    _require_register_access(request)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    day = timezone.localdate()
    response["Content-Disposition"] = f'attachment; filename="registre-des-traitements-{day}.csv"'
    response.write("\ufeff")
    writer = csv.writer(response, delimiter=";")
    writer.writerow([spreadsheet_safe(label) for label in register.column_labels()])
    for row in register.rows():
        writer.writerow([spreadsheet_safe(cell) for cell in row])
    return response


@login_required
@require_POST
@never_cache
def export_my_data(request):
    """The logged-in person's data, as a JSON file. A POST with the CSRF token: no address
    that could be shared or replayed, and never stored by a cache (``never_cache``)."""
    if not rules.can_export_own_data(request.user):
        raise PermissionDenied
    # Only ever request.user: the URL carries no id and the form no user.
    data = export.personal_data(user=request.user)
    response = HttpResponse(export.as_json(data), content_type="application/json; charset=utf-8")
    day = timezone.localdate()
    response["Content-Disposition"] = (
        f'attachment; filename="quartier-commun-mes-donnees-{day}.json"'
    )
    return response
