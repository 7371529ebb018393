"""/api/assemblies/…: the assemblies API (see civic.assemblies.api)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from civic.assemblies.api import (
    AssemblyViewSet,
    LiveView,
    ParticipantsView,
    RegistrationView,
    VoteView,
)

app_name = "assemblies_api"

router = SimpleRouter()
router.register("", AssemblyViewSet, basename="assembly")

urlpatterns = [
    path("<int:pk>/registration/", RegistrationView.as_view(), name="registration"),
    path("<int:pk>/live/", LiveView.as_view(), name="live"),
    path("<int:pk>/motions/<int:motion_id>/vote/", VoteView.as_view(), name="vote"),
    path("<int:pk>/participants/", ParticipantsView.as_view(), name="participants"),
    *router.urls,
]
