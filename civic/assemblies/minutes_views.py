"""The staff button "Préparer le compte rendu" of an ended assembly (a POST).

Wired in ``civic.assemblies.urls`` as ``<int:pk>/compte-rendu/`` (name
``generate_minutes``). The draft is made by ``minutes.generate_minutes``; staff land on its
edit page in the Wagtail admin to complete and publish it.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from civic.assemblies import minutes, rules
from civic.assemblies.models import Assembly
from civic.assemblies.services import AssemblyError


@require_POST
@login_required
def generate_minutes_view(request, pk):
    if not rules.is_assembly_manager(request.user):
        raise PermissionDenied
    assembly = get_object_or_404(Assembly, pk=pk)
    try:
        page = minutes.generate_minutes(actor=request.user, assembly=assembly)
    except AssemblyError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(_back(request, assembly))
    messages.success(
        request,
        _("Le brouillon du compte rendu est prêt : complétez-le puis publiez-le."),
    )
    return redirect(reverse("wagtailadmin_pages:edit", args=[page.pk]))


def _back(request, assembly):
    # The page the button was on (the chair's screen, say), else the assembly's page.
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return assembly.get_absolute_url()
