"""The sign-up form: allauth's, made safe against two sign-ups with the same address at once.

Both requests pass validation (no account has the address yet); the database's unique
email key lets only one of them create the account. The other is answered exactly as a
sign-up with an address already in use: the owner gets allauth's "you already have an
account" email, the visitor the usual "check your inbox" page (no 500, nothing revealed).

Kept apart from ``forms.py``: allauth imports that module (ACCOUNT_SIGNUP_FORM_CLASS) while
building the form this one extends.
"""

from allauth.account.forms import SignupForm as AllauthSignupForm
from django.db import IntegrityError, transaction

from civic.accounts.models import User


class SignupForm(AllauthSignupForm):
    def try_save(self, request):
        try:
            with transaction.atomic():
                return super().try_save(request)
        except IntegrityError:
            email = self.cleaned_data.get("email")
            if not email or not User.objects.by_email(email).exists():
                raise  # another constraint: a real fault, not the race
            self.account_already_exists = True
            return super().try_save(request)
