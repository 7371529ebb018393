# Filled in by the proposals API.
urlpatterns: list = []
