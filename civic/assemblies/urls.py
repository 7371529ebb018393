app_name = "assemblies"

urlpatterns = []
