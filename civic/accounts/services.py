"""What happens to accounts: sign-up completion, profile changes, deletion."""

import unicodedata

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from civic.accounts import roles

# Characters that change how text is displayed (bidi overrides, zero-width) but carry no
# meaning in a name; they are used to impersonate others or hide text.
_INVISIBLE_CATEGORIES = {"Cf", "Cc"}


def clean_display_name(value):
    cleaned = "".join(ch for ch in value if unicodedata.category(ch) not in _INVISIBLE_CATEGORIES)
    cleaned = " ".join(cleaned.split())
    if not cleaned:
        raise ValidationError(_("Indiquez le nom que les autres habitants verront."))
    return cleaned


@transaction.atomic
def complete_signup(*, user, display_name, neighbourhood, language="fr"):
    """Called once allauth has created the account: the resident's own details and role."""
    user.display_name = display_name
    user.neighbourhood = neighbourhood
    if language in {"fr", "en"}:
        user.preferred_language = language
    user.save(update_fields=["display_name", "neighbourhood", "preferred_language"])
    roles.add_to_group(user, roles.RESIDENTS)
    return user


@transaction.atomic
def delete_account(*, user):
    """Delete the account and everything personal attached to it.

    Later capabilities (proposals, sign-ups, votes) anonymise what must outlive the
    account before this deletes the row.
    """
    user.delete()
