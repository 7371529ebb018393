"""What counts as the same email address, decided once for every door.

Two addresses are the same account when their *keys* are equal. The key is stored on
the user (``User.email_key``) under a database unique constraint, and every lookup by
address (login, sign-up, reset, email change, the desk, the demo, the admin) goes
through it, so two accounts that a lookup could confuse cannot exist.

The rule:
- **Case does not matter**, in the local part too (``Amina@X.fr`` is ``amina@x.fr``):
  the mail providers our residents use ignore it, and residents type it either way.
- **Compatibility forms are folded** (NFKC): a full-width ``ａ`` is ``a``.
- **Letters whose capital is an ASCII letter are folded to it**: the dotless ``ı``
  (capital ``I``), the long ``ſ`` (``S``), the Kelvin sign. Databases compare case-
  insensitively through upper case (PostgreSQL: ``upper('ı') = 'I'``); the key folds the
  same way, so the database can never see two accounts where the key sees one.
- **The domain** is compared in its ASCII (IDNA) form.

On input (:func:`normalise_email`) the local part must be plain ASCII once folded with
NFKC: look-alike letters (``ı``, Cyrillic ``а``…) are refused with a clear form error,
whether or not an account exists, so the answer reveals nothing. Accents in the domain
(internationalised domain names) are accepted.
"""

import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

NON_ASCII_LOCAL_PART = _(
    "Cette adresse contient une lettre spéciale avant le « @ » (accent ou lettre d'un "
    "autre alphabet). Saisissez-la avec des lettres simples, sans accents."
)


def _fold(text: str) -> str:
    text = unicodedata.normalize("NFKC", text)
    # upper() first: it maps "ı" to "I" and "ſ" to "S", which casefold() leaves alone.
    text = text.upper().lower()
    return unicodedata.normalize("NFKC", text).casefold()


def _ascii_domain(domain: str) -> str:
    try:
        return domain.encode("idna").decode("ascii")
    except UnicodeError:
        # Not a valid name (empty or over-long label): compare it as folded text; such an
        # address fails validation anyway, and the key must never raise.
        return domain


def email_key(address: str) -> str:
    """The comparison key of an address. Total: any string gives a key, never an error."""
    address = (address or "").strip()
    local, at, domain = address.rpartition("@")
    if not at:
        return _fold(address)
    return f"{_fold(local)}@{_ascii_domain(_fold(domain))}"


def normalise_email(address: str) -> str:
    """The form in which a typed address is stored, or a ValidationError for the form.

    Lower case and NFKC; a local part that is not ASCII is refused (see the module).
    """
    address = unicodedata.normalize("NFKC", (address or "").strip())
    local, at, domain = address.rpartition("@")
    if at and not local.isascii():
        raise ValidationError(NON_ASCII_LOCAL_PART, code="non_ascii_local_part")
    return address.lower()
