"""/api/volunteering/…: the volunteering API (see civic.volunteering.api)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from civic.volunteering.api import ActionViewSet, MyShiftsView, ShiftSignupView

app_name = "volunteering_api"

router = SimpleRouter()
router.register("actions", ActionViewSet, basename="action")

urlpatterns = [
    path("shifts/<int:shift_id>/signup/", ShiftSignupView.as_view(), name="shift-signup"),
    path("my-shifts/", MyShiftsView.as_view(), name="my-shifts"),
    *router.urls,
]
