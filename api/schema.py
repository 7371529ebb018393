def only_public_api(endpoints):
    """Keep our own API in the schema: Wagtail's admin also registers endpoints."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/")]
