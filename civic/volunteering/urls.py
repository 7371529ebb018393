app_name = "volunteering"

# Filled in by the HTML views.
urlpatterns: list = []
