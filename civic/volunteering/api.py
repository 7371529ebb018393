"""The volunteering API (/api/volunteering/): residents find actions, sign up for shifts
(or join their waitlist), cancel, and see their own shifts and hours.

Nothing here decides who may do what: permission classes and checks ask ``rules`` (the same
functions as the HTML pages) and every write goes through ``services`` (which check them
again, under the shift's row lock). This module only turns HTTP into calls and answers into
JSON.

Errors keep the API's single shape (``api.errors``):
- 409 Conflict, code ``full`` or ``overlap``: the sign-up clashes with the shift's places
  (``join_waitlist: false`` on a full shift) or with another shift of the person at the
  same time. Trying again later may succeed;
- 403, code ``closed``: the shift no longer takes sign-ups (started, cancelled);
  code ``too_late``: the cancellation cut-off has passed (call the Régie);
  code ``not_authenticated``: not logged in (session authentication: a 403, never a 401);
  code ``permission_denied``: e.g. the CSRF token is missing;
- 404: no such action or shift, or one of an unpublished action (for anyone but Régie
  staff): the same 404;
- 400, code ``invalid``: a malformed body or filter.

Only public figures and the requester's own sign-ups are ever shown: no names, phones,
rosters or other staff-only data, even to staff.
"""

from datetime import timedelta

import django_filters
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.db.models import (
    Case,
    Count,
    F,
    IntegerField,
    Min,
    OuterRef,
    Q,
    Subquery,
    Sum,
    When,
)
from django.http import Http404
from django.urls import reverse
from django.utils import formats, timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, serializers, viewsets
from rest_framework.generics import GenericAPIView
from rest_framework.parsers import FormParser
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.response import Response

from api.errors import ErrorSerializer
from civic.json_input import JSONParser
from civic.links import absolute_url
from civic.proposals.api import NeighbourhoodRefSerializer
from civic.territory.models import Neighbourhood
from civic.volunteering import rules, services
from civic.volunteering.models import Action, Shift, Signup

PAST_SHIFTS_SHOWN = 50  # as on the "Mes créneaux" page

# Service refusals become JSON errors once, in api.errors.exception_handler.


# --- Permissions --------------------------------------------------------------------------------


class IsResident(BasePermission):
    """A logged-in, active account (anonymous visitors get ``not_authenticated``)."""

    message = _("Connectez-vous pour vous inscrire.")

    def has_permission(self, request, view):
        return rules.is_resident(request.user)


# --- Documentation of errors ------------------------------------------------------------------

BAD_REQUEST = OpenApiResponse(
    ErrorSerializer,
    description="Invalid input: code `invalid`, per-field messages in `details`.",
)
BAD_FILTER = OpenApiResponse(
    ErrorSerializer, description="Invalid filter (code `invalid`), e.g. an unknown neighbourhood."
)
FORBIDDEN = OpenApiResponse(
    ErrorSerializer,
    description="Not logged in: code `not_authenticated` (the API uses the site's session, so "
    "this is a 403, never a 401). CSRF token missing: code `permission_denied`.",
)
SIGNUP_FORBIDDEN = OpenApiResponse(
    ErrorSerializer,
    description="Code `closed`: the shift no longer takes sign-ups (it has started or was "
    "cancelled). Code `not_authenticated`: not logged in (a 403, never a 401). Code "
    "`permission_denied`: CSRF token missing.",
)
CANCEL_FORBIDDEN = OpenApiResponse(
    ErrorSerializer,
    description="Code `too_late`: the action's cancellation cut-off has passed (or the shift "
    "is over): the volunteer must tell the Régie. Code `not_authenticated`: not logged in "
    "(a 403, never a 401). Code `permission_denied`: CSRF token missing.",
)
CONFLICT = OpenApiResponse(
    ErrorSerializer,
    description="Code `full`: no place left and `join_waitlist` was false (nothing was "
    "written; send it again with `join_waitlist: true` to wait for a place). Code `overlap`: "
    "the requester is already signed up (or waitlisted) for another shift at the same time.",
)
NOT_FOUND = OpenApiResponse(
    ErrorSerializer,
    description="No such action or shift, or one of an unpublished action (the same 404).",
)
NO_PAGE = OpenApiResponse(ErrorSerializer, description="No such page of results.")
ACTION_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The action's id."
)
SHIFT_ID = OpenApiParameter(
    "shift_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The shift's id."
)


# --- Queries ------------------------------------------------------------------------------------


def open_shift_q(now, prefix="shifts__"):
    """A shift that still takes sign-ups: not cancelled and not started (as on the site)."""
    return Q(**{f"{prefix}starts_at__gt": now, f"{prefix}is_cancelled": False})


def with_waitlist_position(signups):
    """Annotates ``waitlist_position`` (1 = next to get a place; None unless waitlisted),
    in the same query: the waitlist's order is (created_at, id), as services promote it."""
    ahead = (
        Signup.objects.filter(shift=OuterRef("shift"), status=Signup.Status.WAITLISTED)
        .filter(
            Q(created_at__lt=OuterRef("created_at"))
            | Q(created_at=OuterRef("created_at"), pk__lte=OuterRef("pk"))
        )
        .order_by()
        .values("shift")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return signups.annotate(
        waitlist_position=Case(
            When(
                status=Signup.Status.WAITLISTED,
                then=Subquery(ahead, output_field=IntegerField()),
            ),
            default=None,
            output_field=IntegerField(),
        )
    )


def shift_phase(shift, now):
    """One word: why a shift can or cannot be joined (the words of the action page)."""
    if shift.is_cancelled:
        return "cancelled"
    if shift.ends_at <= now:
        return "past"
    if shift.starts_at <= now:
        return "running"
    if not rules.shift_is_open(shift, now):
        return "closed"
    if shift.places_left == 0:
        return "full"
    return "open"


PHASES = [
    ("open", "Places left: sign up."),
    ("full", "No place left: signing up joins the waitlist."),
    ("closed", "The action is not published: no sign-up."),
    ("running", "Started: sign-ups are closed."),
    ("past", "Over."),
    ("cancelled", "Cancelled by the Régie."),
]


# --- Serializers ----------------------------------------------------------------------------------


# A sign-up's status is a plain string in the schema (its values in the description): an
# enum named after ``status`` would clash with the proposals' statuses (drf-spectacular
# warns; ENUM_NAME_OVERRIDES in the settings would be the way to give both enums a name).
LIVE_STATUSES = [Signup.Status.CONFIRMED.value, Signup.Status.WAITLISTED.value]
ALL_STATUSES = [value for value, _label in Signup.Status.choices]


@extend_schema_field(OpenApiTypes.STR)
class LiveStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=LIVE_STATUSES, **kwargs)


@extend_schema_field(OpenApiTypes.STR)
class AnyStatusField(serializers.ChoiceField):
    def __init__(self, **kwargs):
        super().__init__(choices=ALL_STATUSES, **kwargs)


class ProposalRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.URLField()


class ActionSerializer(serializers.ModelSerializer):
    """An action as listed. The figures come from queryset annotations (no query per row)
    and count open shifts only: not cancelled, not started."""

    neighbourhood = NeighbourhoodRefSerializer(read_only=True)
    image_url = serializers.SerializerMethodField()
    next_starts_at = serializers.DateTimeField(
        read_only=True, help_text="Start of the next shift that takes sign-ups."
    )
    open_shift_count = serializers.IntegerField(
        read_only=True, help_text="Shifts that still take sign-ups."
    )
    open_places = serializers.IntegerField(
        read_only=True, help_text="Places left on those shifts, in total."
    )
    url = serializers.SerializerMethodField(help_text="The action's page on the site.")

    class Meta:
        model = Action
        fields = [
            "id",
            "title",
            "description",
            "neighbourhood",
            "meeting_place",
            "image_url",
            "image_alt",
            "what_to_bring",
            "skills_welcome",
            "next_starts_at",
            "open_shift_count",
            "open_places",
            "url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_image_url(self, action):
        if not action.image:
            return None
        return absolute_url(action.image.url, self.context.get("request"))

    @extend_schema_field(serializers.URLField())
    def get_url(self, action):
        return absolute_url(action.get_absolute_url(), self.context.get("request"))


class MySignupSerializer(serializers.Serializer):
    """The requester's live sign-up on a shift."""

    id = serializers.IntegerField()
    status = LiveStatusField(
        help_text="`confirmed` (a place is kept) or `waitlisted` (waiting for one)."
    )
    waitlist_position = serializers.IntegerField(
        allow_null=True, help_text="1 = next to get a place; null when confirmed."
    )
    can_cancel = serializers.BooleanField(
        help_text="Whether the requester may still cancel online (before the cut-off)."
    )


class ShiftSerializer(serializers.Serializer):
    """A shift of an action: public figures, and the requester's own sign-up."""

    id = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    role = serializers.CharField(help_text="E.g. « accueil »; may be empty.")
    capacity = serializers.IntegerField(help_text="Number of places.")
    places_left = serializers.IntegerField()
    waitlist_count = serializers.IntegerField(help_text="People waiting for a place.")
    is_cancelled = serializers.BooleanField()
    phase = serializers.ChoiceField(
        choices=[value for value, _label in PHASES],
        help_text="; ".join(f"`{value}`: {label}" for value, label in PHASES),
    )
    cancellation_deadline = serializers.DateTimeField(
        help_text="Volunteers may cancel online until then (waitlisted: until the start)."
    )
    my_signup = MySignupSerializer(
        allow_null=True, help_text="The requester's live sign-up; null if none or anonymous."
    )

    def to_representation(self, shift):
        now = self.context["now"]
        mine = self.context.get("my_signups", {}).get(shift.pk)
        user = getattr(self.context.get("request"), "user", None)
        dates = serializers.DateTimeField()
        return {
            "id": shift.pk,
            "starts_at": dates.to_representation(shift.starts_at),
            "ends_at": dates.to_representation(shift.ends_at),
            "role": shift.role,
            "capacity": shift.capacity,
            "places_left": shift.places_left,
            "waitlist_count": shift.waitlist_count,
            "is_cancelled": shift.is_cancelled,
            "phase": shift_phase(shift, now),
            "cancellation_deadline": dates.to_representation(shift.cancellation_deadline()),
            "my_signup": _my_signup(mine, shift, user, now),
        }


def _my_signup(signup, shift, user, now):
    if signup is None:
        return None
    signup.shift = shift
    return {
        "id": signup.pk,
        "status": signup.status,
        "waitlist_position": signup.waitlist_position,
        "can_cancel": rules.can_cancel(user, signup, now),
    }


class ActionDetailSerializer(ActionSerializer):
    cancellation_cutoff_hours = serializers.IntegerField(
        read_only=True, help_text="Online cancellation closes this many hours before a shift."
    )
    proposal = serializers.SerializerMethodField(
        help_text="The resident's idea this action came from, when it is public."
    )
    shifts = serializers.SerializerMethodField(
        help_text="Every shift of the action (past ones too), in time order."
    )

    class Meta(ActionSerializer.Meta):
        fields = [
            f
            for f in ActionSerializer.Meta.fields
            if f not in ("next_starts_at", "open_shift_count", "open_places")
        ] + ["is_published", "cancellation_cutoff_hours", "proposal", "shifts"]
        read_only_fields = fields

    @extend_schema_field(ProposalRefSerializer(allow_null=True))
    def get_proposal(self, action):
        proposal = action.proposal if action.proposal_id else None
        if proposal is None or not proposal.is_public:
            return None
        request = self.context.get("request")
        return {
            "id": proposal.pk,
            "title": proposal.title,
            "url": absolute_url(proposal.get_absolute_url(), request),
        }

    @extend_schema_field(ShiftSerializer(many=True))
    def get_shifts(self, action):
        return ShiftSerializer(action.shift_list, many=True, context=self.context).data


class ShiftFiguresSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    capacity = serializers.IntegerField()
    places_left = serializers.IntegerField()
    waitlist_count = serializers.IntegerField()
    is_cancelled = serializers.BooleanField()


class SignupStateSerializer(serializers.Serializer):
    """The requester's sign-up on a shift after a PUT or DELETE, and the shift's figures."""

    id = serializers.IntegerField(
        allow_null=True, help_text="The sign-up's id; null if the requester never signed up."
    )
    status = AnyStatusField(
        allow_null=True,
        help_text="`confirmed` (a place is kept), `waitlisted` (waiting for one) or "
        "`cancelled`; null if the requester never signed up for this shift.",
    )
    waitlist_position = serializers.IntegerField(
        allow_null=True, help_text="1 = next to get a place; null unless waitlisted."
    )
    can_cancel = serializers.BooleanField(
        help_text="Whether the requester may still cancel online (before the cut-off)."
    )
    shift = ShiftFiguresSerializer()


class TrueUnlessFalse(serializers.BooleanField):
    """True when absent, in JSON and in form-encoded bodies alike (DRF otherwise reads an
    absent form field as an unchecked checkbox: False)."""

    default_empty_html = True


class SignupSerializer(serializers.Serializer):
    """The body of a sign-up (optional: ``{}`` or no body at all signs up, or waitlists)."""

    join_waitlist = TrueUnlessFalse(
        default=True,
        help_text="When the shift is full: true (default) joins the waitlist, false answers "
        "409 `full` and writes nothing.",
    )

    def validate(self, attrs):
        if hasattr(self.initial_data, "keys"):
            unknown = set(self.initial_data.keys()) - set(self.fields) - {"csrfmiddlewaretoken"}
            if unknown:
                raise serializers.ValidationError(
                    {name: [_("Champ inconnu.")] for name in sorted(unknown)}
                )
        return attrs


class MyShiftRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    starts_at = serializers.DateTimeField()
    ends_at = serializers.DateTimeField()
    role = serializers.CharField()


class MyActionRefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    meeting_place = serializers.CharField()
    neighbourhood = NeighbourhoodRefSerializer()
    url = serializers.URLField()


class MyShiftSerializer(serializers.Serializer):
    """One of the requester's sign-ups."""

    id = serializers.IntegerField(help_text="The sign-up's id.")
    status = LiveStatusField(
        help_text="`confirmed` (a place is kept) or `waitlisted` (waiting for one)."
    )
    waitlist_position = serializers.IntegerField(
        allow_null=True, help_text="1 = next to get a place; null unless waitlisted."
    )
    can_cancel = serializers.BooleanField()
    check_in_code = serializers.UUIDField(
        allow_null=True,
        help_text="Deprecated: the code of earlier QR codes, still accepted at check-in; "
        "use `presence_code`. Upcoming confirmed sign-ups only.",
    )
    presence_code = serializers.CharField(
        allow_null=True,
        help_text="Said or shown at check-in, e.g. `K7M-4QX` (6 letters and digits without "
        "look-alikes, unique on the shift); upcoming confirmed sign-ups only.",
    )
    check_in_url = serializers.URLField(
        allow_null=True,
        help_text="The link to show as a QR code at check-in; upcoming confirmed sign-ups only.",
    )
    hours = serializers.FloatField(
        allow_null=True, help_text="Past shifts: hours given; null for upcoming ones."
    )
    shift = MyShiftRefSerializer()
    action = MyActionRefSerializer()

    def to_representation(self, signup):
        request, now = self.context.get("request"), self.context["now"]
        shift, action = signup.shift, signup.shift.action
        dates = serializers.DateTimeField()
        past = shift.ends_at <= now
        shows_code = not past and signup.status == Signup.Status.CONFIRMED
        return {
            "id": signup.pk,
            "status": signup.status,
            "waitlist_position": getattr(signup, "waitlist_position", None),
            "can_cancel": False if past else rules.can_cancel(request.user, signup, now),
            "check_in_code": str(signup.check_in_code) if shows_code else None,
            "presence_code": signup.presence_code_display if shows_code else None,
            "check_in_url": (
                absolute_url(
                    reverse("volunteering:code", args=[shift.pk, signup.presence_code]), request
                )
                if shows_code
                else None
            ),
            "hours": _hours(shift.duration) if past else None,
            "shift": {
                "id": shift.pk,
                "starts_at": dates.to_representation(shift.starts_at),
                "ends_at": dates.to_representation(shift.ends_at),
                "role": shift.role,
            },
            "action": {
                "id": action.pk,
                "title": action.title,
                "meeting_place": action.meeting_place,
                "neighbourhood": {
                    "slug": action.neighbourhood.slug,
                    "name": action.neighbourhood.name,
                },
                "url": absolute_url(action.get_absolute_url(), request),
            },
        }


def _hours(duration):
    return round(duration.total_seconds() / 3600, 2)


class MyShiftsSerializer(serializers.Serializer):
    hours = serializers.FloatField(
        help_text="Hours given in total: past confirmed shifts, absences excluded."
    )
    upcoming = MyShiftSerializer(
        many=True, help_text="Live sign-ups on shifts not over yet, soonest first."
    )
    past = MyShiftSerializer(
        many=True,
        help_text=f"Shifts given (absences excluded), latest first; the {PAST_SHIFTS_SHOWN} "
        "latest at most (`hours` counts them all).",
    )


# --- Filters ------------------------------------------------------------------------------------


class ActionFilter(django_filters.FilterSet):
    neighbourhood = django_filters.ModelChoiceFilter(
        field_name="neighbourhood",
        to_field_name="slug",
        queryset=Neighbourhood.objects.all(),
        help_text="Slug of a neighbourhood.",
    )

    class Meta:
        model = Action
        fields = ["neighbourhood"]


# --- Views --------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Published actions with shifts still open, the soonest first",
        responses={200: ActionSerializer(many=True), 400: BAD_FILTER, 404: NO_PAGE},
    ),
    retrieve=extend_schema(
        summary="An action with its shifts, places left and the requester's sign-ups",
        parameters=[ACTION_ID],
        responses={200: ActionDetailSerializer, 404: NOT_FOUND},
    ),
)
class ActionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Volunteer actions (Agir).

    The list shows published actions with at least one shift that still takes sign-ups. An
    action's page is readable by anyone while it is published (by Régie staff always); an
    unpublished one answers 404, like a missing one.
    """

    queryset = Action.objects.none()  # typed for the schema; see get_queryset()
    serializer_class = ActionSerializer
    filterset_class = ActionFilter
    permission_classes = [AllowAny]
    # Ids are integers: anything else is an unknown path (JSON 404), never a 500.
    lookup_value_regex = r"[0-9]+"

    def get_serializer_class(self):
        return ActionDetailSerializer if self.action == "retrieve" else ActionSerializer

    @property
    def now(self):
        """One clock reading per request: every shift's phase is judged at the same time."""
        if not hasattr(self, "_now"):
            self._now = timezone.now()
        return self._now

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "now": self.now}

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Action.objects.none()
        if self.action == "retrieve":
            return Action.objects.select_related("neighbourhood", "proposal")
        open_shift = open_shift_q(self.now)
        return (
            Action.objects.published()
            .annotate(
                next_starts_at=Min("shifts__starts_at", filter=open_shift),
                open_shift_count=Count("shifts", filter=open_shift),
                open_places=Sum(
                    F("shifts__capacity") - F("shifts__seats_taken"),
                    filter=open_shift,
                    output_field=IntegerField(),
                ),
            )
            .filter(next_starts_at__isnull=False)
            .select_related("neighbourhood")
            .order_by("next_starts_at", "pk")
        )

    def get_object(self):
        action = self.get_queryset().filter(pk=self.kwargs["pk"]).first()
        if action is None or not rules.can_view_action(self.request.user, action):
            raise Http404
        # Through the action's manager: each shift already knows its action (no query each).
        # (Explicit order: Meta.ordering is not applied to a query with GROUP BY.)
        action.shift_list = list(action.shifts.with_waitlist().order_by("starts_at", "pk"))
        return action

    def retrieve(self, request, *args, **kwargs):
        action = self.get_object()
        context = self.get_serializer_context()
        user = request.user
        if rules.is_resident(user):
            mine = with_waitlist_position(
                Signup.objects.active().filter(user=user, shift__action=action)
            )
            context["my_signups"] = {signup.shift_id: signup for signup in mine}
        return Response(ActionDetailSerializer(action, context=context).data)


class ShiftSignupView(GenericAPIView):
    """The requester's sign-up on one shift: PUT to sign up, DELETE to cancel. Both are
    idempotent: repeating one answers the same."""

    parser_classes = [JSONParser, FormParser]
    serializer_class = SignupStateSerializer

    def get_permissions(self):
        if self.request.method == "OPTIONS":
            return [AllowAny()]
        return [IsResident()]

    def get_shift(self):
        shift = Shift.objects.select_related("action").filter(pk=self.kwargs["shift_id"]).first()
        if shift is None or not rules.can_view_action(self.request.user, shift.action):
            raise Http404
        return shift

    def _state(self, shift, signup):
        now = timezone.now()
        figures = Shift.objects.with_waitlist().select_related("action").get(pk=shift.pk)
        if signup is not None:
            signup = with_waitlist_position(Signup.objects.filter(pk=signup.pk)).get()
            signup.shift = figures
        return Response(
            {
                "id": signup.pk if signup else None,
                "status": signup.status if signup else None,
                "waitlist_position": signup.waitlist_position if signup else None,
                "can_cancel": bool(signup) and rules.can_cancel(self.request.user, signup, now),
                "shift": {
                    "id": figures.pk,
                    "capacity": figures.capacity,
                    "places_left": figures.places_left,
                    "waitlist_count": figures.waitlist_count,
                    "is_cancelled": figures.is_cancelled,
                },
            }
        )

    @extend_schema(
        summary="Sign up for a shift, or join its waitlist (idempotent)",
        description="Answers 200 with the requester's sign-up: `confirmed` when a place was "
        "left, else `waitlisted` (places go to the waitlist first come, first served, and "
        "the person is emailed). Signing up again returns the same sign-up, also once the "
        "shift has closed.",
        parameters=[SHIFT_ID],
        request=SignupSerializer,
        responses={
            200: SignupStateSerializer,
            400: BAD_REQUEST,
            403: SIGNUP_FORBIDDEN,
            404: NOT_FOUND,
            409: CONFLICT,
        },
    )
    def put(self, request, shift_id):
        shift = self.get_shift()
        serializer = SignupSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        try:
            signup = services.sign_up(
                shift=shift,
                actor=request.user,
                join_waitlist=serializer.validated_data["join_waitlist"],
            )
        except services.VolunteeringError as error:
            # Already signed up: the repeated PUT answers like the first, even now that the
            # shift has started (the service refuses any sign-up on a closed shift first).
            existing = Signup.objects.active().filter(shift=shift, user=request.user).first()
            if error.code != "closed" or existing is None:
                raise
            signup = existing
        return self._state(shift, signup)

    @extend_schema(
        summary="Cancel one's sign-up on a shift, or leave its waitlist (idempotent)",
        description="Answers 200 with `status: cancelled` (or `status: null` if the "
        "requester never signed up). A freed place goes to the first on the waitlist. "
        "Online cancellation closes at the action's cut-off before the shift (403 "
        "`too_late`); leaving the waitlist is possible until the shift starts.",
        parameters=[SHIFT_ID],
        request=None,
        responses={200: SignupStateSerializer, 403: CANCEL_FORBIDDEN, 404: NOT_FOUND},
    )
    def delete(self, request, shift_id):
        shift = self.get_shift()
        # The latest sign-up of the requester on this shift: the live one if any.
        signup = Signup.objects.filter(shift=shift, user=request.user).order_by("-pk").first()
        if signup is not None and signup.is_active:
            signup.shift = shift
            now = timezone.now()
            if not rules.can_cancel(request.user, signup, now):
                raise exceptions.PermissionDenied(
                    detail=self._too_late(shift, now), code="too_late"
                )
            try:
                signup = services.cancel_signup(signup=signup, actor=request.user, now=now)
            except DjangoPermissionDenied as error:  # the cut-off passed meanwhile
                raise exceptions.PermissionDenied(detail=str(error), code="too_late") from error
        return self._state(shift, signup)

    @staticmethod
    def _too_late(shift, now):
        if shift.ends_at <= now:
            return _("Ce créneau est terminé.")
        return _(
            "Il est trop tard pour se désinscrire en ligne (c'était possible jusqu'au "
            "%(deadline)s) : prévenez la Régie."
        ) % {
            "deadline": formats.date_format(
                timezone.localtime(shift.cancellation_deadline()), "SHORT_DATETIME_FORMAT"
            )
        }


class MyShiftsView(GenericAPIView):
    """The requester's shifts: the coming ones (confirmed or waitlisted) and the past ones,
    with the hours given."""

    serializer_class = MyShiftsSerializer

    def get_permissions(self):
        if self.request.method == "OPTIONS":
            return [AllowAny()]
        return [IsResident()]

    @extend_schema(
        summary="My shifts: upcoming and past, with the hours given",
        responses={200: MyShiftsSerializer, 403: FORBIDDEN},
    )
    def get(self, request):
        user, now = request.user, timezone.now()
        related = ("shift__action__neighbourhood",)
        upcoming = list(
            with_waitlist_position(
                Signup.objects.active().filter(
                    user=user, shift__ends_at__gt=now, shift__is_cancelled=False
                )
            )
            .select_related(*related)
            .order_by("shift__starts_at", "pk")
        )
        past = list(
            Signup.objects.counted_for_hours(now)
            .filter(user=user)
            .select_related(*related)
            .order_by("-shift__starts_at", "-pk")[:PAST_SHIFTS_SHOWN]
        )
        if len(past) < PAST_SHIFTS_SHOWN:  # all of them: no need to read them again
            hours = _hours(sum((signup.shift.duration for signup in past), timedelta()))
        else:
            hours = services.hours_given(user=user, now=now)
        context = {"request": request, "now": now}
        return Response(
            {
                "hours": hours,
                "upcoming": MyShiftSerializer(upcoming, many=True, context=context).data,
                "past": MyShiftSerializer(past, many=True, context=context).data,
            }
        )
