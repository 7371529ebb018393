"""The assemblies API (/api/assemblies/): residents find their neighbourhood's assemblies,
register, follow the live session (a snapshot to resync a page) and vote; staff also list
the members.

Nothing here decides who may do what: checks ask ``rules`` (the same functions as the HTML
pages and the socket) and every write goes through ``services``. This module only turns
HTTP into calls and answers into JSON.

Errors keep the API's single shape (``api.errors``):
- 400 with the service's code: a vote refused (``not_member``, ``not_present``,
  ``not_open``, ``bad_option``, ``no_proxy``) or a malformed body (``invalid``);
- 403, code ``not_authenticated``: not logged in (session authentication: a 403, never a
  401); code ``other_neighbourhood`` / ``closed``: registration refused;
  ``permission_denied``: not allowed (e.g. the members' list for a resident);
- 404: no such assembly or motion, an unpublished assembly (for anyone but Régie staff), or
  a motion of another assembly: the same 404;
- 409: unregistering refused (``present``, ``voted``).

Never who chose what: results are tallies only, for open ballots as for secret ones; the
only choice ever returned is the requester's own, to the requester, while the vote is open.
"""

import django_filters
from django.http import Http404
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
from civic.assemblies import live, rules, services
from civic.assemblies.models import (
    Assembly,
    Motion,
    MotionStatus,
    Participant,
)
from civic.json_input import JSONParser
from civic.links import absolute_url
from civic.proposals.api import NeighbourhoodRefSerializer
from civic.territory.models import Neighbourhood

# Service refusals become JSON errors once, in api.errors.exception_handler.


# --- Permissions --------------------------------------------------------------------------------


class IsMember(BasePermission):
    """A logged-in, active account (anonymous visitors get ``not_authenticated``)."""

    message = _("Connectez-vous d'abord.")

    def has_permission(self, request, view):
        user = request.user
        return bool(user and user.is_authenticated and user.is_active)


class IsAssemblyManager(BasePermission):
    message = _("Réservé à l'équipe de la Régie.")

    def has_permission(self, request, view):
        return rules.is_assembly_manager(request.user)


def get_assembly_for(user, pk):
    """The assembly if ``user`` may see it; the same 404 when missing or unpublished."""
    assembly = Assembly.objects.select_related("neighbourhood").filter(pk=pk).first()
    if assembly is None or not rules.can_view_assembly(user, assembly):
        raise Http404
    return assembly


# --- Documentation ------------------------------------------------------------------------------

BAD_FILTER = OpenApiResponse(
    ErrorSerializer, description="Invalid filter (code `invalid`), e.g. an unknown neighbourhood."
)
FORBIDDEN = OpenApiResponse(
    ErrorSerializer,
    description="Not logged in: code `not_authenticated` (the API uses the site's session, so "
    "this is a 403, never a 401). CSRF token missing: code `permission_denied`.",
)
NOT_FOUND = OpenApiResponse(
    ErrorSerializer,
    description="No such assembly, or an unpublished one (for anyone but Régie staff): the "
    "same 404.",
)
NO_PAGE = OpenApiResponse(ErrorSerializer, description="No such page of results.")
ASSEMBLY_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The assembly's id."
)
MOTION_ID = OpenApiParameter(
    "motion_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The motion's id."
)


MAX_ID = 2**31 - 1  # larger ids are no row of ours (and would overflow SQLite's integers)

# --- Serializers ----------------------------------------------------------------------------------


class ItemProposalSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    url = serializers.CharField(help_text="The idea's page on the site.")


class AgendaItemSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    title = serializers.CharField()
    description = serializers.CharField()
    proposal = ItemProposalSerializer(
        allow_null=True, help_text="The resident's idea this item discusses, when it is public."
    )


class CollegeSerializer(serializers.Serializer):
    name = serializers.CharField()
    weight = serializers.IntegerField(help_text="Its weight in the votes.")


class VotingRulesSerializer(serializers.Serializer):
    quorum_kind = serializers.CharField(
        help_text="`none`, `count` (a number of members present or represented) or `share` "
        "(a percentage of those registered)."
    )
    quorum_value = serializers.IntegerField()
    majority = serializers.CharField(
        help_text="The default majority: `simple`, `absolute` or `two_thirds`."
    )
    majority_label = serializers.CharField()
    use_colleges = serializers.BooleanField(
        help_text="Whether votes are weighted by college (tripartite governance)."
    )
    colleges = CollegeSerializer(many=True)


class AttendanceSerializer(serializers.Serializer):
    registered = serializers.IntegerField()
    present = serializers.IntegerField()
    represented = serializers.IntegerField(help_text="Absent members represented by a proxy.")
    quorum_required = serializers.IntegerField()
    quorum_reached = serializers.BooleanField()


class TallySerializer(serializers.Serializer):
    option = serializers.IntegerField()
    label = serializers.CharField()
    votes = serializers.IntegerField(allow_null=True, help_text="Null when withheld.")
    share = serializers.FloatField(
        allow_null=True, help_text="Percentage of the (weighted) votes cast; null when withheld."
    )
    is_abstention = serializers.BooleanField()


class QuorumSerializer(serializers.Serializer):
    required = serializers.IntegerField()
    present = serializers.IntegerField()
    represented = serializers.IntegerField()
    reached = serializers.BooleanField()


class ResultSerializer(serializers.Serializer):
    """A closed vote's result, recorded at closing: tallies only, never who chose what."""

    outcome = serializers.CharField(
        help_text="`adopted`, `rejected` (for/against), `chosen`, `no_decision` (several "
        "choices), `no_quorum` or `no_votes`."
    )
    winner = serializers.IntegerField(allow_null=True, help_text="The option carried, if any.")
    majority = serializers.CharField()
    cast = serializers.IntegerField(help_text="Ballots cast, abstentions included.")
    expressed = serializers.IntegerField(
        allow_null=True, help_text="Ballots cast minus abstentions (null when withheld)."
    )
    weighted = serializers.BooleanField(help_text="Shares weighted by college.")
    withheld = serializers.CharField(
        allow_null=True,
        required=False,
        help_text="Secret ballot whose figures per option would reveal a choice: "
        "`few_voters` or `small_college` (votes, shares and expressed are then null).",
    )
    withheld_threshold = serializers.IntegerField(required=False, allow_null=True)
    registered = serializers.IntegerField(required=False)
    tallies = TallySerializer(many=True)
    quorum = QuorumSerializer()


class MotionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    item = serializers.IntegerField(allow_null=True, help_text="The agenda item's id.")
    question = serializers.CharField()
    kind = serializers.CharField(help_text="`for_against` or `choices`.")
    is_secret = serializers.BooleanField()
    majority = serializers.CharField()
    closed_at = serializers.DateTimeField()
    result = ResultSerializer()

    def to_representation(self, motion):
        return {
            "id": motion.pk,
            "item": motion.item_id,
            "question": motion.question,
            "kind": motion.kind,
            "is_secret": motion.is_secret,
            "majority": motion.majority,
            "closed_at": serializers.DateTimeField().to_representation(motion.closed_at),
            "result": _public_result(motion.result),
        }


RESULT_KEYS = (
    "outcome",
    "winner",
    "majority",
    "cast",
    "expressed",
    "weighted",
    "registered",
    "withheld",
    "withheld_threshold",
)


def _public_result(result):
    # Only the known keys: whatever the record may hold one day, the API shows figures.
    result = result or {}
    return {
        **{key: result[key] for key in RESULT_KEYS if key in result},
        "tallies": [
            {key: tally.get(key) for key in ("option", "label", "votes", "share", "is_abstention")}
            for tally in result.get("tallies", [])
        ],
        "quorum": {
            key: (result.get("quorum") or {}).get(key)
            for key in ("required", "present", "represented", "reached")
        },
    }


class AssemblySerializer(serializers.ModelSerializer):
    neighbourhood = NeighbourhoodRefSerializer(read_only=True)
    url = serializers.SerializerMethodField(help_text="The assembly's page on the site.")

    class Meta:
        model = Assembly
        fields = [
            "id",
            "title",
            "starts_at",
            "place",
            "neighbourhood",
            "is_published",
            "session_status",
            "url",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField())
    def get_url(self, assembly):
        return absolute_url(assembly.get_absolute_url(), self.context.get("request"))


class MyRegistrationSerializer(serializers.Serializer):
    registered = serializers.BooleanField()
    present = serializers.BooleanField()
    college = serializers.CharField(allow_null=True)
    represented_by_proxy = serializers.BooleanField()
    can_register = serializers.BooleanField(
        help_text="Whether the requester may register (a resident of the neighbourhood, "
        "before the end of the session)."
    )


class AssemblyDetailSerializer(AssemblySerializer):
    convocation = serializers.CharField(read_only=True)
    rules = serializers.SerializerMethodField(help_text="How votes are decided.")
    items = serializers.SerializerMethodField(help_text="The agenda, in order.")
    attendance = serializers.SerializerMethodField()
    motions = serializers.SerializerMethodField(
        help_text="Closed votes with their results, in the order they were closed."
    )
    me = serializers.SerializerMethodField(help_text="The requester's registration.")

    class Meta(AssemblySerializer.Meta):
        fields = [
            *AssemblySerializer.Meta.fields,
            "convocation",
            "rules",
            "items",
            "attendance",
            "motions",
            "me",
        ]
        read_only_fields = fields

    @extend_schema_field(VotingRulesSerializer)
    def get_rules(self, assembly):
        return {
            "quorum_kind": assembly.quorum_kind,
            "quorum_value": assembly.quorum_value,
            "majority": assembly.majority,
            "majority_label": str(assembly.get_majority_display()),
            "use_colleges": assembly.use_colleges,
            "colleges": [
                {"name": c.name, "weight": c.weight}
                for c in assembly.colleges.order_by("sort_order", "pk")
            ],
        }

    @extend_schema_field(AgendaItemSerializer(many=True))
    def get_items(self, assembly):
        request = self.context.get("request")
        return [
            {
                "id": item.pk,
                "title": item.title,
                "description": item.description,
                "proposal": (
                    {
                        "id": item.proposal.pk,
                        "title": item.proposal.title,
                        "url": absolute_url(item.proposal.get_absolute_url(), request),
                    }
                    if item.proposal is not None and item.proposal.is_public
                    else None
                ),
            }
            for item in assembly.items.select_related("proposal").order_by("sort_order", "pk")
        ]

    @extend_schema_field(AttendanceSerializer)
    def get_attendance(self, assembly):
        return attendance_of(assembly)

    @extend_schema_field(MotionSerializer(many=True))
    def get_motions(self, assembly):
        motions = assembly.motions.filter(status=MotionStatus.CLOSED).order_by("closed_at", "pk")
        return MotionSerializer(motions, many=True).data

    @extend_schema_field(MyRegistrationSerializer)
    def get_me(self, assembly):
        request = self.context.get("request")
        return my_registration(request.user if request else None, assembly)


def attendance_of(assembly):
    registered, quorum = services.attendance(assembly)
    return {
        "registered": registered,
        "present": quorum.present,
        "represented": quorum.represented,
        "quorum_required": quorum.required,
        "quorum_reached": quorum.reached,
    }


def my_registration(user, assembly):
    participant = services.participant_for(user, assembly)
    return {
        "registered": participant is not None,
        "present": participant is not None and participant.checked_in_at is not None,
        "college": participant.college.name if participant and participant.college else None,
        "represented_by_proxy": participant is not None and participant.proxy_holder_id is not None,
        "can_register": rules.can_register(user, assembly),
    }


class RegistrationSerializer(MyRegistrationSerializer):
    """The requester's registration after a PUT or DELETE, and the assembly's figures."""

    attendance = AttendanceSerializer()


class LiveSerializer(serializers.Serializer):
    """The same snapshot as the socket sends on (re)connecting (see civic.assemblies.live)."""

    state = serializers.JSONField(
        help_text="What the room sees: session, current item, attendance and quorum, the "
        "current vote (question, options, number of votes cast, the result once closed), "
        "the speakers' queue, and `version` (a page never goes back to an older one)."
    )
    me = serializers.JSONField(
        help_text="The requester's own view: `is_chair`, and `participant` (null if not "
        "registered): present or not, the proxy they hold, their own choices on the open "
        "vote, their request to speak."
    )


class VoteSerializer(serializers.Serializer):
    """The body of a vote: ``option``, and ``for`` to vote with a proxy."""

    option = serializers.IntegerField(min_value=1, max_value=MAX_ID, help_text="The option's id.")

    def get_fields(self):
        # ``for`` is a Python keyword: added by name.
        fields = super().get_fields()
        fields["for"] = serializers.IntegerField(
            required=False,
            allow_null=True,
            min_value=1,
            max_value=MAX_ID,
            help_text="The id of the absent member whose proxy the requester holds; "
            "omitted (or the requester's own id) to vote for oneself.",
        )
        return fields

    def validate(self, attrs):
        if hasattr(self.initial_data, "keys"):
            unknown = set(self.initial_data.keys()) - set(self.fields) - {"csrfmiddlewaretoken"}
            if unknown:
                raise serializers.ValidationError(
                    {name: [_("Champ inconnu.")] for name in sorted(unknown)}
                )
        return attrs


class BallotSerializer(serializers.Serializer):
    motion = serializers.IntegerField()
    option = serializers.IntegerField(help_text="The option now chosen.")
    votes_cast = serializers.IntegerField(help_text="Members who have voted on the motion.")

    def get_fields(self):
        fields = super().get_fields()
        fields["for"] = serializers.IntegerField(help_text="The member who voted (participant id).")
        return fields


class ParticipantSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()
    present = serializers.BooleanField()
    college = serializers.CharField(allow_null=True)
    proxy_holder = serializers.IntegerField(
        allow_null=True, help_text="The participant who holds this member's proxy, if any."
    )
    proxy_holder_name = serializers.CharField(allow_null=True)

    def to_representation(self, participant):
        holder = participant.proxy_holder
        return {
            "id": participant.pk,
            "name": participant.name,
            "present": participant.checked_in_at is not None,
            "college": participant.college.name if participant.college else None,
            "proxy_holder": holder.pk if holder else None,
            "proxy_holder_name": holder.name if holder else None,
        }


# --- Filters ------------------------------------------------------------------------------------


class AssemblyFilter(django_filters.FilterSet):
    neighbourhood = django_filters.ModelChoiceFilter(
        field_name="neighbourhood",
        to_field_name="slug",
        queryset=Neighbourhood.objects.all(),
        help_text="Slug of a neighbourhood.",
    )

    class Meta:
        model = Assembly
        fields = ["neighbourhood"]


# --- Views --------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="Assemblies, the latest first (published ones; Régie staff see them all)",
        responses={200: AssemblySerializer(many=True), 400: BAD_FILTER, 404: NO_PAGE},
    ),
    retrieve=extend_schema(
        summary="An assembly: agenda, voting rules, attendance and the results of its votes",
        parameters=[ASSEMBLY_ID],
        responses={200: AssemblyDetailSerializer, 404: NOT_FOUND},
    ),
)
class AssemblyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Neighbourhood assemblies. A published one is readable by anyone; an unpublished one
    by Régie staff only (a 404 for everyone else, like a missing one)."""

    queryset = Assembly.objects.none()  # typed for the schema; see get_queryset()
    serializer_class = AssemblySerializer
    filterset_class = AssemblyFilter
    permission_classes = [AllowAny]
    # Ids are integers: anything else is an unknown path (JSON 404), never a 500.
    lookup_value_regex = r"[0-9]+"

    def get_serializer_class(self):
        return AssemblyDetailSerializer if self.action == "retrieve" else AssemblySerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Assembly.objects.none()
        assemblies = Assembly.objects.select_related("neighbourhood").order_by("-starts_at", "-pk")
        if rules.is_assembly_manager(self.request.user):
            return assemblies
        return assemblies.published()

    def get_object(self):
        return get_assembly_for(self.request.user, self.kwargs["pk"])


class AssemblyView(GenericAPIView):
    """An endpoint about one assembly the requester may see."""

    def get_assembly(self):
        return get_assembly_for(self.request.user, self.kwargs["pk"])


class RegistrationView(AssemblyView):
    """The requester's registration: PUT to register, DELETE to unregister. Both are
    idempotent: repeating one answers the same."""

    parser_classes = [JSONParser, FormParser]
    serializer_class = RegistrationSerializer

    def get_permissions(self):
        if self.request.method == "OPTIONS":
            return [AllowAny()]
        return [IsMember()]

    def _state(self, assembly):
        return Response(
            {
                **my_registration(self.request.user, assembly),
                "attendance": attendance_of(assembly),
            }
        )

    @extend_schema(
        summary="Register for an assembly (idempotent)",
        description="For residents of the assembly's neighbourhood, until the session ends. "
        "Registering again answers the same.",
        parameters=[ASSEMBLY_ID],
        request=None,
        responses={
            200: RegistrationSerializer,
            403: OpenApiResponse(
                ErrorSerializer,
                description="Code `other_neighbourhood`: the assembly is for the residents of "
                "another neighbourhood. Code `closed`: the session has ended. Code "
                "`not_authenticated`: not logged in (a 403, never a 401).",
            ),
            404: NOT_FOUND,
        },
    )
    def put(self, request, pk):
        assembly = self.get_assembly()
        if services.participant_for(request.user, assembly) is None:
            services.register(assembly=assembly, resident=request.user)
        return self._state(assembly)

    @extend_schema(
        summary="Unregister from an assembly (idempotent)",
        description="Possible until the member is checked in at the door or has voted. A "
        "proxy they held lapses.",
        parameters=[ASSEMBLY_ID],
        request=None,
        responses={
            200: RegistrationSerializer,
            403: FORBIDDEN,
            404: NOT_FOUND,
            409: OpenApiResponse(
                ErrorSerializer,
                description="Code `present`: already checked in (see the desk). Code "
                "`voted`: the member has voted at this assembly.",
            ),
        },
    )
    def delete(self, request, pk):
        assembly = self.get_assembly()
        participant = services.participant_for(request.user, assembly)
        if participant is not None:
            services.unregister(participant=participant, resident=request.user)
        return self._state(assembly)


class LiveView(AssemblyView):
    """The live session's snapshot, as the socket sends it: pages resync with it."""

    serializer_class = LiveSerializer

    def get_permissions(self):
        if self.request.method == "OPTIONS":
            return [AllowAny()]
        return [IsMember()]

    @extend_schema(
        summary="The live session: the same snapshot as the WebSocket",
        description="For Régie staff, registered members and residents of the neighbourhood.",
        parameters=[ASSEMBLY_ID],
        responses={
            200: LiveSerializer,
            403: OpenApiResponse(
                ErrorSerializer,
                description="Not allowed to follow this session (code `permission_denied`), "
                "or not logged in (code `not_authenticated`).",
            ),
            404: NOT_FOUND,
        },
    )
    def get(self, request, pk):
        assembly = self.get_assembly()
        user = request.user
        participant = services.participant_for(user, assembly)
        if not rules.can_follow_live(user, assembly, participant):
            raise exceptions.PermissionDenied(
                _("La séance en direct est réservée aux habitants du quartier.")
            )
        return Response(
            {
                "state": live.public_state(assembly.pk),
                "me": live.personal_state(
                    assembly.pk, user, is_chair=rules.can_chair(user, assembly)
                ),
            }
        )


class VoteView(AssemblyView):
    """A present member votes (or changes their vote) on the open motion."""

    parser_classes = [JSONParser, FormParser]
    serializer_class = VoteSerializer

    def get_permissions(self):
        if self.request.method == "OPTIONS":
            return [AllowAny()]
        return [IsMember()]

    @extend_schema(
        summary="Vote on the open motion (idempotent: the same choice again changes nothing)",
        description="The requester must be checked in as present; `for` votes with the proxy "
        "of an absent member. A vote can be changed until the chair closes it.",
        parameters=[ASSEMBLY_ID, MOTION_ID],
        request=VoteSerializer,
        responses={
            200: BallotSerializer,
            400: OpenApiResponse(
                ErrorSerializer,
                description="Code `invalid`: malformed body. Code `not_member`: not "
                "registered; `not_present`: not checked in; `not_open`: the vote is not open "
                "(not yet, or closed); `bad_option`: no such option on this motion; "
                "`no_proxy`: the requester does not hold that member's proxy.",
            ),
            403: FORBIDDEN,
            404: OpenApiResponse(
                ErrorSerializer,
                description="No such assembly or motion, or a motion of another assembly.",
            ),
        },
    )
    def post(self, request, pk, motion_id):
        assembly = self.get_assembly()
        motion = (
            Motion.objects.select_related("assembly")
            .filter(pk=motion_id, assembly=assembly)
            .first()
        )
        if motion is None:
            raise Http404
        body = VoteSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        ballot, votes_cast = services.cast_vote(
            actor=request.user,
            motion=motion,
            option_id=body.validated_data["option"],
            on_behalf_of=body.validated_data.get("for"),
        )
        live.votes_cast_changed(assembly.pk, motion.pk, votes_cast)
        return Response(
            {
                "motion": motion.pk,
                "option": ballot.option_id,
                "for": ballot.voter_id,
                "votes_cast": votes_cast,
            }
        )


class ParticipantsView(AssemblyView):
    """The members registered for an assembly (Régie staff): names, presence, college and
    proxies, never their votes."""

    serializer_class = ParticipantSerializer
    queryset = Participant.objects.none()  # typed for the schema; see get()

    def get_permissions(self):
        if self.request.method == "OPTIONS":
            return [AllowAny()]
        return [IsAssemblyManager()]

    @extend_schema(
        summary="The members of an assembly (Régie staff)",
        parameters=[ASSEMBLY_ID],
        responses={
            200: ParticipantSerializer(many=True),
            403: OpenApiResponse(
                ErrorSerializer,
                description="Régie staff only (code `permission_denied`); not logged in: "
                "`not_authenticated`.",
            ),
            404: NOT_FOUND,
        },
    )
    def get(self, request, pk):
        assembly = self.get_assembly()
        participants = (
            Participant.objects.filter(assembly=assembly)
            .select_related("user", "college", "proxy_holder__user")
            .order_by("registered_at", "pk")
        )
        page = self.paginate_queryset(participants)
        data = ParticipantSerializer(page, many=True).data
        return self.get_paginated_response(data)
