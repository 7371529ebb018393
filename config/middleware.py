"""Site-wide middleware."""


class DatabaseUnavailableMiddleware:
    """Placeholder: answers a clear 503 page when the database cannot be reached."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)
