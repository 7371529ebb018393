"""What the accounts app tells the rest of the project, without importing it."""

from django.dispatch import Signal

# Sent by ``services.delete_account`` inside its transaction, before the row goes, with
# ``user`` and ``now``: an app outside the domain that holds the person's places (the
# agenda's event dates, in ``cms.agenda``) frees them through its own services.
account_closing = Signal()
