"""/api/proposals/…: the proposals API (see civic.proposals.api)."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from civic.proposals.api import CommentViewSet, ProposalViewSet

app_name = "proposals_api"

router = SimpleRouter()
router.register("", ProposalViewSet, basename="proposal")

comment_list = CommentViewSet.as_view({"get": "list", "post": "create"})
comment_detail = CommentViewSet.as_view({"patch": "partial_update", "delete": "destroy"})
comment_report = CommentViewSet.as_view({"post": "report"})

urlpatterns = [
    path("<int:proposal_id>/comments/", comment_list, name="comment-list"),
    path("<int:proposal_id>/comments/<int:pk>/", comment_detail, name="comment-detail"),
    path("<int:proposal_id>/comments/<int:pk>/report/", comment_report, name="comment-report"),
    *router.urls,
]
