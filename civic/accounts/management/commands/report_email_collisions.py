"""List accounts whose addresses are the same under the one email rule (emails.py).

Such accounts predate the rule; each is kept and listed with the account it collides
with, for the Régie to resolve with the people concerned (nothing is merged here).
Exits with status 1 when there is something to resolve, so a deployment can check it.
"""

from collections import defaultdict

from django.core.management.base import BaseCommand, CommandError

from civic.accounts.emails import email_key
from civic.accounts.models import User


class Command(BaseCommand):
    help = "List accounts whose email addresses collide under the canonical email rule."

    def handle(self, *args, **options):
        by_key = defaultdict(list)
        for user in User.objects.order_by("pk").only("pk", "email", "date_joined"):
            by_key[email_key(user.email)].append(user)
        groups = [users for users in by_key.values() if len(users) > 1]
        if not groups:
            self.stdout.write("No colliding addresses.")
            return
        for users in groups:
            self.stdout.write(email_key(users[0].email))
            for user in users:
                state = "key" if user.email_key else "no key (to resolve)"
                self.stdout.write(
                    f"  account {user.pk}  {user.email!r}  joined {user.date_joined:%Y-%m-%d}  {state}"
                )
        raise CommandError(f"{len(groups)} address(es) shared by several accounts.")
