from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from civic.accounts import services
from civic.accounts.forms import DeleteAccountForm, ProfileForm
from civic.accounts.models import User


def _set_language_cookie(response, language):
    """The same cookie as Django's ``set_language`` view, so the language switch agrees."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


@login_required
@require_http_methods(["GET", "POST"])
def profile(request):
    # A fresh copy: a rejected form must not leave its values on request.user.
    account = User.objects.get(pk=request.user.pk)
    form = ProfileForm(request.POST or None, instance=account)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        translation.activate(user.preferred_language)
        messages.success(request, _("Votre profil est enregistré."))
        response = redirect("accounts:profile")
        _set_language_cookie(response, user.preferred_language)
        return response
    return render(request, "accounts/profile.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def delete_account(request):
    form = DeleteAccountForm(request.POST or None, request=request)
    if request.method == "POST" and form.is_valid():
        # Only ever the logged-in person: the URL carries no id and the form no user.
        services.delete_account(user=request.user)
        logout(request)
        messages.success(request, _("Votre compte est supprimé. Merci pour votre participation."))
        return redirect("/")
    return render(request, "accounts/delete_account.html", {"form": form})
