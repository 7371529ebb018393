from django.core.management.base import BaseCommand

from cms.setup import ensure_site


class Command(BaseCommand):
    help = "Create the home page, the news index and the default site (idempotent)."

    def handle(self, *args, **options):
        home, news_index = ensure_site()
        self.stdout.write(f"Home page: {home.url_path} · news: {news_index.url_path}")
