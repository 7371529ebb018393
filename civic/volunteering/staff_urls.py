"""Staff pages about one shift, one sign-up or one person, served under the Wagtail admin.

``wagtail_hooks.py`` includes these at ``/admin/agir/`` (namespace ``volunteering_staff``)
with the ``register_admin_urls`` hook, so Wagtail's admin access applies before each
view's own ``rules.can_manage`` check.
"""

from django.urls import path

from civic.volunteering import admin_views, staff_views

app_name = "volunteering_staff"

urlpatterns = [
    # In the admin's furniture.
    path("creneaux/<int:pk>/liste/", admin_views.RosterView.as_view(), name="roster"),
    path("creneaux/<int:pk>/liste.csv", admin_views.RosterCsvView.as_view(), name="roster_csv"),
    path(
        "creneaux/<int:pk>/places/", admin_views.ShiftCapacityView.as_view(), name="shift_capacity"
    ),
    path("creneaux/<int:pk>/annuler/", admin_views.ShiftCancelView.as_view(), name="shift_cancel"),
    path(
        "inscriptions/<int:pk>/annuler/",
        admin_views.SignupCancelView.as_view(),
        name="signup_cancel",
    ),
    # Without it: phone, paper.
    path("creneaux/<int:pk>/pointage/", staff_views.CheckInView.as_view(), name="checkin"),
    path("creneaux/<int:pk>/imprimer/", staff_views.RosterPrintView.as_view(), name="roster_print"),
    path(
        "attestations/compte/<int:pk>/",
        staff_views.CertificateView.as_view(kind="user"),
        name="certificate_user",
    ),
    path(
        "attestations/sans-compte/<int:pk>/",
        staff_views.CertificateView.as_view(kind="offline"),
        name="certificate_offline",
    ),
]
