app_name = "proposals"

# Filled in by the HTML views.
urlpatterns: list = []
