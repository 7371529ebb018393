from django.urls import path

from civic.proposals import views

app_name = "proposals"

urlpatterns = [
    path("", views.proposal_list, name="list"),
    path("carte/", views.proposal_map, name="map"),
    path("adresse/", views.geocode, name="geocode"),
    path("proposer/", views.submit, name="submit"),
    path("mes-idees/", views.my_proposals, name="mine"),
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/tout-lu/", views.notifications_read, name="notifications_read"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/modifier/", views.edit, name="edit"),
    path("<int:pk>/retirer/", views.withdraw, name="withdraw"),
    path("<int:pk>/soutenir/", views.support, name="support"),
    path("<int:pk>/retirer-mon-soutien/", views.unsupport, name="unsupport"),
    path("<int:pk>/suivre/", views.follow, name="follow"),
    path("<int:pk>/ne-plus-suivre/", views.unfollow, name="unfollow"),
    path("<int:pk>/commenter/", views.comment, name="comment"),
    path("<int:pk>/signaler/", views.report_proposal, name="report"),
    path("<int:pk>/moderation/etat/", views.moderate_status, name="moderate_status"),
    path("<int:pk>/moderation/masquer/", views.moderate_hide, name="moderate_hide"),
    path("<int:pk>/moderation/afficher/", views.moderate_restore, name="moderate_restore"),
    path("<int:pk>/moderation/soutiens/", views.moderate_supports, name="moderate_supports"),
    path("commentaires/<int:pk>/modifier/", views.comment_edit, name="comment_edit"),
    path("commentaires/<int:pk>/supprimer/", views.comment_delete, name="comment_delete"),
    path("commentaires/<int:pk>/signaler/", views.report_comment, name="comment_report"),
    path(
        "commentaires/<int:pk>/masquer/",
        views.moderate_comment_hide,
        name="moderate_comment_hide",
    ),
    path(
        "commentaires/<int:pk>/afficher/",
        views.moderate_comment_restore,
        name="moderate_comment_restore",
    ),
]
