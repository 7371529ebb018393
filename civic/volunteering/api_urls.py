# Filled in by the volunteering API.
urlpatterns: list = []
