from django.urls import path

from civic.assemblies import minutes_views, views

app_name = "assemblies"

urlpatterns = [
    path("", views.assembly_list, name="list"),
    path("<int:pk>/", views.assembly_detail, name="detail"),
    path("<int:pk>/inscription/", views.register, name="register"),
    path("<int:pk>/desinscription/", views.unregister, name="unregister"),
    # The member's live page, their votes and requests to speak.
    path("<int:pk>/seance/", views.session, name="session"),
    path("<int:pk>/votes/<int:motion_id>/", views.vote, name="vote"),
    path("<int:pk>/parole/", views.floor_request, name="floor_request"),
    path("<int:pk>/parole/retirer/", views.floor_withdraw, name="floor_withdraw"),
    path("<int:pk>/projecteur/", views.projector, name="projector"),
    # The chair: one address per action (forms without JavaScript).
    path("<int:pk>/presidence/", views.chair, name="chair"),
    path("<int:pk>/presidence/<slug:action>/", views.chair_action, name="chair_action"),
    path("<int:pk>/compte-rendu/", minutes_views.generate_minutes_view, name="generate_minutes"),
    # The door (staff).
    path("<int:pk>/accueil/", views.checkin, name="checkin"),
    path("<int:pk>/accueil/presence/", views.checkin_presence, name="checkin_presence"),
    path("<int:pk>/accueil/inscrire/", views.checkin_register, name="checkin_register"),
    path("<int:pk>/accueil/procuration/", views.checkin_proxy, name="checkin_proxy"),
    path(
        "<int:pk>/accueil/procuration/retirer/",
        views.checkin_proxy_withdraw,
        name="checkin_proxy_withdraw",
    ),
    # The link in a member's QR code, and the code typed by hand: open to all, staff go on
    # to the check-in confirmation below.
    path("<int:pk>/code/", views.code_entry, name="code_entry"),
    path("<int:pk>/code/<str:code>/", views.code_page, name="code"),
    # A member's check-in confirmation (staff); also earlier QR codes' long tokens.
    path("<int:pk>/accueil/<str:token>/", views.checkin_token, name="checkin_token"),
]
