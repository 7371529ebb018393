from django.urls import path, re_path

from civic.volunteering import views

app_name = "volunteering"

urlpatterns = [
    path("", views.action_list, name="list"),
    path("mes-creneaux/", views.mine, name="mine"),
    path("mes-creneaux/lien-agenda/", views.calendar_link, name="calendar_link"),
    # The private feed: the token is the key (calendar apps cannot log in).
    re_path(r"^agenda/(?P<token>[A-Za-z0-9_-]{16,64})\.ics$", views.private_feed, name="feed"),
    path("<int:pk>/", views.action_detail, name="action"),
    path("<int:pk>/agenda.ics", views.action_calendar, name="action_calendar"),
    path("creneau/<int:pk>/agenda.ics", views.shift_calendar, name="shift_calendar"),
    path("creneau/<int:pk>/inscription/", views.sign_up, name="sign_up"),
    path("creneau/<int:pk>/desinscription/", views.cancel, name="cancel"),
    # The link in a volunteer's QR code, and the code typed by hand: open to all, staff go
    # on to the shift's check-in page.
    path("creneau/<int:pk>/code/", views.shift_code_entry, name="code_entry"),
    path("creneau/<int:pk>/code/<str:code>/", views.shift_code, name="code"),
]
