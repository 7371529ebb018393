app_name = "assemblies_api"

urlpatterns = []
