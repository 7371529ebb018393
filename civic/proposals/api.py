"""The proposals API: residents read, propose, support, follow, comment and report ideas;
Régie staff move them along their lifecycle.

Nothing here decides who may do what: permission classes ask ``rules`` and every write goes
through ``services`` (which check the same rules again, under a row lock). This module only
turns HTTP into calls and answers into JSON.

Errors keep the API's single shape (``api.errors``): a service's ``ProposalError`` is a 400
carrying the service's code (``invalid_transition``, ``answer_required``…), a refused rule a
403, a proposal the requester may not see a 404 — the same 404 as a missing one.

Authentication is the site's session (``SessionAuthentication``), so unsafe requests need the
CSRF token, and a visitor who is not logged in gets a **403** whose code is
``not_authenticated`` (DRF answers 401 only for schemes that send ``WWW-Authenticate``).
"""

from contextlib import contextmanager
from decimal import ROUND_HALF_EVEN, Decimal, DecimalException

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import F
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import (
    OpenApiParameter,
    OpenApiResponse,
    extend_schema,
    extend_schema_field,
    extend_schema_view,
)
from rest_framework import exceptions, mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.fields import get_error_detail
from rest_framework.parsers import FormParser, MultiPartParser
from rest_framework.permissions import AllowAny, BasePermission
from rest_framework.response import Response

from api.errors import ErrorSerializer
from civic.json_input import JSONParser
from civic.links import absolute_url
from civic.proposals import lifecycle, rules, services
from civic.proposals.lifecycle import Status
from civic.proposals.models import Comment, Proposal, StatusChange, Theme
from civic.territory.models import Neighbourhood

MAX_DB_INTEGER = 2**63 - 1

# Service refusals become JSON errors once, in api.errors.exception_handler.


# --- Permissions: each one asks a function of ``rules`` ----------------------------------------


class IsResident(BasePermission):
    """A logged-in, active account (anonymous visitors get ``not_authenticated``)."""

    message = _("Connectez-vous pour participer.")

    def has_permission(self, request, view):
        return rules.is_resident(request.user)


class CanSubmit(BasePermission):
    message = _("Connectez-vous pour proposer une idée.")

    def has_permission(self, request, view):
        return rules.can_submit(request.user)


class CanReport(BasePermission):
    message = _("Connectez-vous pour signaler un contenu.")

    def has_permission(self, request, view):
        return rules.can_report(request.user)


class CanModerate(BasePermission):
    message = _("Réservé à l'équipe de la Régie.")

    def has_permission(self, request, view):
        return rules.can_moderate(request.user)


class RuleOnObject(BasePermission):
    """``rules.<rule>(user, obj)`` on the proposal or comment the action targets."""

    rule = ""

    def has_object_permission(self, request, view, obj):
        return getattr(rules, self.rule)(request.user, obj)


class CanEditProposal(RuleOnObject):
    rule = "can_edit"
    message = _("Cette idée ne peut plus être modifiée.")


class CanWithdraw(RuleOnObject):
    rule = "can_withdraw"
    message = _("Cette idée ne peut plus être retirée.")


class CanSupport(RuleOnObject):
    rule = "can_support"
    message = _("Cette idée ne peut pas (ou plus) être soutenue.")


class CanFollow(RuleOnObject):
    rule = "can_follow"
    message = _("Vous ne pouvez pas suivre cette idée.")


class CanComment(RuleOnObject):
    rule = "can_comment"
    message = _("Les commentaires sont fermés sur cette idée.")


class CanEditComment(RuleOnObject):
    rule = "can_edit_comment"
    message = _("Ce commentaire ne peut plus être modifié.")


class CanDeleteComment(RuleOnObject):
    rule = "can_delete_comment"
    message = _("Ce commentaire ne peut pas être supprimé.")


@contextmanager
def _photo_errors():
    """A photo that ``civic.uploads`` refuses is a 400 on the ``photo`` field."""
    try:
        yield
    except services.ProposalError:
        raise
    except DjangoValidationError as error:
        raise exceptions.ValidationError({"photo": get_error_detail(error)}) from error


def visible_proposal(request, pk, queryset=None):
    """The proposal if ``rules.can_view`` lets the requester see it; otherwise a 404, the
    same as for a proposal that does not exist."""
    proposal = get_object_or_404(queryset if queryset is not None else Proposal.objects, pk=pk)
    if not rules.can_view(request.user, proposal):
        raise Http404
    return proposal


# --- Documentation of errors ------------------------------------------------------------------

BAD_REQUEST = OpenApiResponse(
    ErrorSerializer,
    description="Invalid input (code `invalid`, per-field messages in `details`) or a request "
    "the lifecycle refuses (the service's code, e.g. `invalid_transition`, `answer_required`, "
    "`bad_parent`, `empty`).",
)
FORBIDDEN = OpenApiResponse(
    ErrorSerializer,
    description="Not logged in: code `not_authenticated` (the API uses the site's session, so "
    "this is a 403, never a 401). Logged in but not allowed, or CSRF token missing: code "
    "`permission_denied`, with the reason in `message`.",
)
NOT_FOUND = OpenApiResponse(
    ErrorSerializer,
    description="No such proposal or comment, or one the requester may not see (the same 404).",
)
NO_PAGE = OpenApiResponse(ErrorSerializer, description="No such page of results.")
PROPOSAL_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The proposal's id."
)
PROPOSAL_ID_NESTED = OpenApiParameter(
    "proposal_id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The proposal's id."
)
COMMENT_ID = OpenApiParameter(
    "id", OpenApiTypes.INT, OpenApiParameter.PATH, description="The comment's id."
)


# --- Serializers: reading -----------------------------------------------------------------------


class ThemeRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Theme
        fields = ["slug", "name"]


class NeighbourhoodRefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Neighbourhood
        fields = ["slug", "name"]


class StatusChangeSerializer(serializers.ModelSerializer):
    # A plain string in the schema: an enum here would give the proposal statuses a second
    # name next to ``status`` (drf-spectacular warns).
    to_status = serializers.CharField(
        read_only=True, help_text="The status reached at this step (same values as `status`)."
    )
    status_label = serializers.CharField(source="get_to_status_display", read_only=True)

    class Meta:
        model = StatusChange
        fields = ["to_status", "status_label", "answer", "actor_label", "automatic", "created_at"]
        read_only_fields = fields


class CapabilitiesSerializer(serializers.Serializer):
    """What the requester may do with this proposal right now (from ``rules``)."""

    edit = serializers.BooleanField()
    withdraw = serializers.BooleanField()
    support = serializers.BooleanField()
    follow = serializers.BooleanField()
    comment = serializers.BooleanField()
    report = serializers.BooleanField()
    moderate = serializers.BooleanField()


class ProposalSerializer(serializers.ModelSerializer):
    """A proposal as listed. Counts and the requester's state come from queryset
    annotations (``with_counts``, ``with_user_state``): no query per row."""

    theme = ThemeRefSerializer(read_only=True)
    neighbourhood = NeighbourhoodRefSerializer(read_only=True)
    latitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, coerce_to_string=False, read_only=True, allow_null=True
    )
    longitude = serializers.DecimalField(
        max_digits=9, decimal_places=6, coerce_to_string=False, read_only=True, allow_null=True
    )
    photo_url = serializers.SerializerMethodField()
    status_label = serializers.CharField(source="get_status_display", read_only=True)
    support_count = serializers.IntegerField(read_only=True)
    comment_count = serializers.IntegerField(
        read_only=True, help_text="Visible comments only (not hidden, not deleted)."
    )
    author_name = serializers.CharField(
        read_only=True, help_text="The author's display name (never their email)."
    )
    url = serializers.SerializerMethodField(help_text="The proposal's page on the site.")
    user_supports = serializers.BooleanField(
        read_only=True, help_text="Whether the requester supports it (false when anonymous)."
    )
    user_follows = serializers.BooleanField(
        read_only=True, help_text="Whether the requester follows it (false when anonymous)."
    )
    merged_into = serializers.PrimaryKeyRelatedField(
        read_only=True,
        allow_null=True,  # documented as nullable (it is null unless merged)
        help_text="Id of the proposal this one was merged into, or null.",
    )

    class Meta:
        model = Proposal
        fields = [
            "id",
            "title",
            "description",
            "theme",
            "neighbourhood",
            "address",
            "latitude",
            "longitude",
            "photo_url",
            "photo_alt",
            "status",
            "status_label",
            "support_count",
            "comment_count",
            "author_name",
            "created_at",
            "published_at",
            "last_answered_at",
            "url",
            "user_supports",
            "user_follows",
            "merged_into",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.URLField(allow_null=True))
    def get_photo_url(self, proposal):
        if not proposal.photo:
            return None
        return absolute_url(proposal.photo.url, self.context.get("request"))

    @extend_schema_field(serializers.URLField())
    def get_url(self, proposal):
        return absolute_url(proposal.get_absolute_url(), self.context.get("request"))


class ProposalDetailSerializer(ProposalSerializer):
    history = StatusChangeSerializer(many=True, read_only=True)
    can = serializers.SerializerMethodField()

    class Meta(ProposalSerializer.Meta):
        fields = [*ProposalSerializer.Meta.fields, "support_open", "history", "can"]
        read_only_fields = fields

    @extend_schema_field(CapabilitiesSerializer)
    def get_can(self, proposal):
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return {
            "edit": rules.can_edit(user, proposal),
            "withdraw": rules.can_withdraw(user, proposal),
            "support": rules.can_support(user, proposal),
            "follow": rules.can_follow(user, proposal),
            "comment": rules.can_comment(user, proposal),
            "report": rules.can_report(user),
            "moderate": rules.can_moderate(user),
        }


class CommentSerializer(serializers.Serializer):
    """A comment. Hidden (by moderation) or deleted (by its author) comments keep their place
    in the thread as ``{"id", "parent", "created_at", "hidden", "deleted"}``: no body, no
    author. The optional fields below are present only for visible comments."""

    id = serializers.IntegerField()
    parent = serializers.IntegerField(
        allow_null=True, help_text="The thread's first comment, for a reply; else null."
    )
    created_at = serializers.DateTimeField()
    hidden = serializers.BooleanField(help_text="Hidden by the moderators.")
    deleted = serializers.BooleanField(help_text="Deleted by its author.")
    author_name = serializers.CharField(required=False)
    body = serializers.CharField(required=False)
    edited_at = serializers.DateTimeField(required=False, allow_null=True)
    can_edit = serializers.BooleanField(required=False)
    can_delete = serializers.BooleanField(required=False)

    def to_representation(self, comment):
        dates = serializers.DateTimeField()
        data = {
            "id": comment.pk,
            "parent": comment.parent_id,
            "created_at": dates.to_representation(comment.created_at),
            "hidden": comment.is_hidden,
            "deleted": comment.is_deleted,
        }
        if comment.is_visible:
            request = self.context.get("request")
            user = getattr(request, "user", None)
            data.update(
                author_name=str(comment.author_name),
                body=comment.body,
                edited_at=dates.to_representation(comment.edited_at) if comment.edited_at else None,
                can_edit=rules.can_edit_comment(user, comment),
                can_delete=rules.can_delete_comment(user, comment),
            )
        return data


class SupportStateSerializer(serializers.Serializer):
    supported = serializers.BooleanField()
    support_count = serializers.IntegerField()


class FollowStateSerializer(serializers.Serializer):
    following = serializers.BooleanField()


class ReportedSerializer(serializers.Serializer):
    reported = serializers.BooleanField()


# --- Serializers: writing -----------------------------------------------------------------------


class StrictInputMixin:
    """Unknown fields are a 400, not silently dropped: ``{"status": "done"}`` in a PATCH must
    not look accepted."""

    IGNORED = frozenset({"csrfmiddlewaretoken"})

    def validate(self, attrs):
        attrs = super().validate(attrs)
        if hasattr(self.initial_data, "keys"):
            unknown = set(self.initial_data.keys()) - set(self.fields) - self.IGNORED
            if unknown:
                raise serializers.ValidationError(
                    {name: [_("Champ inconnu ou non modifiable.")] for name in sorted(unknown)}
                )
        return attrs


class CoordinateField(serializers.DecimalField):
    """A latitude or longitude in degrees: rounded to 6 decimal places (about 10 cm), not
    refused for having more, and bounded."""

    def __init__(self, limit, **kwargs):
        super().__init__(
            max_digits=9,
            decimal_places=6,
            min_value=Decimal(-limit),
            max_value=Decimal(limit),
            coerce_to_string=False,
            allow_null=True,
            required=False,
            **kwargs,
        )

    def validate_precision(self, value):
        try:
            value = value.quantize(Decimal("0.000001"), rounding=ROUND_HALF_EVEN)
        except DecimalException:
            self.fail("invalid")
        return super().validate_precision(value)


class SlugRelatedField(serializers.SlugRelatedField):
    """A slug that is refused before the query when it cannot be one: PostgreSQL refuses
    NUL bytes in a query outright (a 500)."""

    def to_internal_value(self, data):
        if isinstance(data, str) and "\x00" in data:
            self.fail("invalid")
        return super().to_internal_value(data)


class ProposalWriteSerializer(StrictInputMixin, serializers.Serializer):
    """A new proposal. Send JSON, or multipart/form-data to attach a photo."""

    title = serializers.CharField(max_length=140)
    description = serializers.CharField(max_length=5000)
    theme = SlugRelatedField(
        slug_field="slug",
        queryset=Theme.objects.filter(is_active=True),
        help_text="Slug of an active theme.",
    )
    neighbourhood = SlugRelatedField(
        slug_field="slug",
        queryset=Neighbourhood.objects.active(),
        help_text="Slug of an active neighbourhood.",
    )
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)
    latitude = CoordinateField(90, help_text="Degrees, -90 to 90; give both or neither.")
    longitude = CoordinateField(180, help_text="Degrees, -180 to 180; give both or neither.")
    photo = serializers.FileField(
        required=False, help_text="JPEG, PNG or WebP, 8 MB at most (multipart only)."
    )
    photo_alt = serializers.CharField(max_length=250, required=False, allow_blank=True)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        instance = self.instance
        latitude = attrs.get("latitude", getattr(instance, "latitude", None))
        longitude = attrs.get("longitude", getattr(instance, "longitude", None))
        if (latitude is None) != (longitude is None):
            raise serializers.ValidationError(
                {"latitude": [_("Donnez la latitude et la longitude, ou aucune des deux.")]}
            )
        return attrs


class ProposalUpdateSerializer(ProposalWriteSerializer):
    """The author's changes while the proposal awaits moderation (PATCH: any subset)."""

    remove_photo = serializers.BooleanField(required=False, help_text="Remove the current photo.")


# The statuses staff may move a proposal to, in the lifecycle's order; whether a move is
# allowed from the current status is for services.change_status to say.
STAFF_TARGETS = [
    (value, label)
    for value, label in Status.choices
    if any(value in targets for targets in lifecycle.STAFF_TRANSITIONS.values())
]


class StatusMoveSerializer(StrictInputMixin, serializers.Serializer):
    to_status = serializers.ChoiceField(choices=STAFF_TARGETS)
    answer = serializers.CharField(
        max_length=5000,
        required=False,
        allow_blank=True,
        help_text="The public answer; required for decisions (refused, under study, …).",
    )


class CommentCreateSerializer(StrictInputMixin, serializers.Serializer):
    body = serializers.CharField(max_length=3000)
    parent = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_DB_INTEGER,
        help_text="Id of the comment this one answers (on the same proposal).",
    )


class CommentUpdateSerializer(StrictInputMixin, serializers.Serializer):
    body = serializers.CharField(max_length=3000)


class ReportSerializer(StrictInputMixin, serializers.Serializer):
    reason = serializers.CharField(max_length=500, help_text="What is wrong, in a few words.")


# --- Filters ------------------------------------------------------------------------------------

# The HTML list's orderings (civic.proposals.views.ORDERINGS), under English names.
SORTS = {
    "newest": (F("published_at").desc(nulls_last=True), "-created_at", "-pk"),
    "most_supported": ("-support_count", "-created_at", "-pk"),
    "recently_answered": (F("last_answered_at").desc(nulls_last=True), "-created_at", "-pk"),
}


class ProposalFilter(django_filters.FilterSet):
    """The HTML list's filters. Ordering is only ever one of ``SORTS``: no client-chosen
    field reaches ``order_by``."""

    neighbourhood = django_filters.ModelChoiceFilter(
        field_name="neighbourhood",
        to_field_name="slug",
        queryset=Neighbourhood.objects.all(),
        help_text="Slug of a neighbourhood.",
    )
    theme = django_filters.ModelChoiceFilter(
        field_name="theme",
        to_field_name="slug",
        queryset=Theme.objects.all(),
        help_text="Slug of a theme.",
    )
    status = django_filters.ChoiceFilter(choices=Status.choices)
    q = django_filters.CharFilter(
        method="search", max_length=200, help_text="Words in the title or the description."
    )
    mine = django_filters.BooleanFilter(
        method="keep",
        help_text="true: the requester's own proposals, in every state (login required). "
        "Otherwise only public proposals are listed.",
    )
    sort = django_filters.ChoiceFilter(
        method="keep",
        choices=[(key, key) for key in SORTS],
        empty_label=None,
        help_text="newest (default: latest published first; with mine=true, latest sent "
        "first), most_supported or recently_answered.",
    )

    class Meta:
        model = Proposal
        fields = ["neighbourhood", "theme", "status", "q", "mine", "sort"]

    def search(self, queryset, name, value):
        return queryset.search(value)

    def keep(self, queryset, name, value):
        return queryset  # applied in filter_queryset, with their defaults

    def filter_queryset(self, queryset):
        queryset = super().filter_queryset(queryset)
        user = self.request.user
        mine = self.form.cleaned_data.get("mine")
        if mine:
            if not rules.is_resident(user):
                raise exceptions.NotAuthenticated()
            queryset = queryset.filter(author=user)
        else:
            queryset = queryset.public()
        sort = self.form.cleaned_data.get("sort") or "newest"
        if mine and sort == "newest":
            # One's own ideas, as on "Mes idées": the latest sent first, published or not.
            return queryset.order_by("-created_at", "-pk")
        return queryset.order_by(*SORTS[sort])


# --- Views --------------------------------------------------------------------------------------


@extend_schema_view(
    list=extend_schema(
        summary="List proposals",
        responses={
            200: ProposalSerializer(many=True),
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NO_PAGE,
        },
    ),
    retrieve=extend_schema(
        summary="A proposal, with its public history",
        parameters=[PROPOSAL_ID],
        responses={200: ProposalDetailSerializer, 404: NOT_FOUND},
    ),
    create=extend_schema(
        summary="Propose an idea (it awaits moderation)",
        request={
            "application/json": ProposalWriteSerializer,
            "multipart/form-data": ProposalWriteSerializer,
        },
        responses={201: ProposalDetailSerializer, 400: BAD_REQUEST, 403: FORBIDDEN},
    ),
    partial_update=extend_schema(
        summary="Edit one's proposal while it awaits moderation",
        parameters=[PROPOSAL_ID],
        request={
            "application/json": ProposalUpdateSerializer,
            "multipart/form-data": ProposalUpdateSerializer,
        },
        responses={
            200: ProposalDetailSerializer,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    ),
)
class ProposalViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    viewsets.GenericViewSet,
):
    """Residents' proposals (idées).

    The list shows public proposals (``mine=true``: the requester's own, in any state). A
    proposal the requester may not see answers 404, like a missing one.
    """

    queryset = Proposal.objects.none()  # typed for the schema; see get_queryset()
    serializer_class = ProposalSerializer
    filterset_class = ProposalFilter
    parser_classes = [JSONParser, MultiPartParser, FormParser]
    # Ids are integers: anything else is an unknown path (JSON 404), never a 500.
    lookup_value_regex = r"[0-9]+"

    ACTION_PERMISSIONS = {
        "metadata": [AllowAny],  # OPTIONS
        "list": [AllowAny],
        "retrieve": [AllowAny],
        "create": [IsResident, CanSubmit],
        "partial_update": [IsResident, CanEditProposal],
        "withdraw": [IsResident, CanWithdraw],
        "support": [IsResident, CanSupport],
        "follow": [IsResident],
        "report": [IsResident, CanReport],
        "change_status": [IsResident, CanModerate],
    }

    def get_permissions(self):
        classes = self.ACTION_PERMISSIONS.get(self.action, [IsResident])
        if self.action == "follow" and self.request.method == "PUT":
            classes = [*classes, CanFollow]
        return [permission() for permission in classes]

    def get_serializer_class(self):
        if self.action == "list":
            return ProposalSerializer
        return ProposalDetailSerializer

    def _annotated(self):
        user = self.request.user
        return (
            Proposal.objects.visible_to(user)
            .select_related("author", "theme", "neighbourhood")
            .with_counts()
            .with_user_state(user)
        )

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Proposal.objects.none()
        if self.action == "list":
            return self._annotated()
        if self.action == "retrieve":
            return self._annotated().prefetch_related("history")
        return Proposal.objects.all()

    def get_object(self):
        proposal = visible_proposal(self.request, self.kwargs["pk"], self.get_queryset())
        self.check_object_permissions(self.request, proposal)
        return proposal

    def _detail_response(self, pk, status_code=status.HTTP_200_OK, headers=None):
        proposal = self._annotated().prefetch_related("history").get(pk=pk)
        serializer = ProposalDetailSerializer(proposal, context=self.get_serializer_context())
        return Response(serializer.data, status=status_code, headers=headers)

    def create(self, request, *args, **kwargs):
        serializer = ProposalWriteSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        with _photo_errors():
            proposal = services.submit_proposal(author=request.user, **data)
        return self._detail_response(
            proposal.pk,
            status.HTTP_201_CREATED,
            headers={
                "Location": absolute_url(
                    reverse("proposals_api:proposal-detail", args=[proposal.pk]), request
                )
            },
        )

    def partial_update(self, request, *args, **kwargs):
        proposal = self.get_object()
        serializer = ProposalUpdateSerializer(
            proposal, data=request.data, partial=True, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        changes = dict(serializer.validated_data)
        photo = changes.pop("photo", None)
        remove_photo = changes.pop("remove_photo", False)
        with _photo_errors():
            services.edit_proposal(
                proposal=proposal,
                actor=request.user,
                photo=photo,
                remove_photo=remove_photo,
                **changes,
            )
        return self._detail_response(proposal.pk)

    @extend_schema(
        summary="Withdraw one's proposal",
        parameters=[PROPOSAL_ID],
        request=None,
        responses={200: ProposalDetailSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def withdraw(self, request, pk=None):
        proposal = self.get_object()
        services.withdraw_proposal(proposal=proposal, actor=request.user)
        return self._detail_response(proposal.pk)

    @extend_schema(
        methods=["PUT"],
        summary="Support a proposal (idempotent)",
        parameters=[PROPOSAL_ID],
        request=None,
        responses={200: SupportStateSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @extend_schema(
        methods=["DELETE"],
        summary="Withdraw one's support (idempotent)",
        parameters=[PROPOSAL_ID],
        request=None,
        responses={200: SupportStateSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["put", "delete"])
    def support(self, request, pk=None):
        proposal = self.get_object()
        if request.method == "PUT":
            services.support_proposal(proposal=proposal, resident=request.user)
        else:
            services.unsupport_proposal(proposal=proposal, resident=request.user)
        state = (
            Proposal.objects.filter(pk=proposal.pk)
            .with_counts()
            .with_user_state(request.user)
            .values("support_count", "user_supports")
            .get()
        )
        return Response(
            {"supported": state["user_supports"], "support_count": state["support_count"]}
        )

    @extend_schema(
        methods=["PUT"],
        summary="Follow a proposal: be notified of its news (idempotent)",
        parameters=[PROPOSAL_ID],
        request=None,
        responses={200: FollowStateSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @extend_schema(
        methods=["DELETE"],
        summary="Stop following a proposal (idempotent)",
        parameters=[PROPOSAL_ID],
        request=None,
        responses={200: FollowStateSerializer, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["put", "delete"])
    def follow(self, request, pk=None):
        proposal = self.get_object()
        if request.method == "PUT":
            services.follow_proposal(proposal=proposal, resident=request.user)
        else:
            services.unfollow_proposal(proposal=proposal, resident=request.user)
        following = proposal.follows.filter(resident=request.user).exists()
        return Response({"following": following})

    @extend_schema(
        summary="Report a proposal to the moderators",
        parameters=[PROPOSAL_ID],
        request=ReportSerializer,
        responses={200: ReportedSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    @action(detail=True, methods=["post"])
    def report(self, request, pk=None):
        proposal = self.get_object()
        serializer = ReportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.report(
            reporter=request.user, proposal=proposal, reason=serializer.validated_data["reason"]
        )
        return Response({"reported": True})

    @extend_schema(
        summary="Staff: move a proposal along its lifecycle, with a public answer",
        parameters=[PROPOSAL_ID],
        request=StatusMoveSerializer,
        responses={
            200: ProposalDetailSerializer,
            400: BAD_REQUEST,
            403: FORBIDDEN,
            404: NOT_FOUND,
        },
    )
    @action(detail=True, methods=["post"], url_path="status")
    def change_status(self, request, pk=None):
        proposal = self.get_object()
        serializer = StatusMoveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.change_status(
            proposal=proposal,
            actor=request.user,
            to_status=serializer.validated_data["to_status"],
            answer=serializer.validated_data.get("answer", ""),
        )
        return self._detail_response(proposal.pk)


@extend_schema_view(
    list=extend_schema(
        summary="A proposal's comments, oldest first",
        parameters=[PROPOSAL_ID_NESTED],
        responses={200: CommentSerializer(many=True), 404: NOT_FOUND},
    ),
    create=extend_schema(
        summary="Comment on a proposal, or answer a comment",
        parameters=[PROPOSAL_ID_NESTED],
        request=CommentCreateSerializer,
        responses={201: CommentSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
    partial_update=extend_schema(
        summary="Edit one's comment (shortly after posting it)",
        parameters=[PROPOSAL_ID_NESTED, COMMENT_ID],
        request=CommentUpdateSerializer,
        responses={200: CommentSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
    destroy=extend_schema(
        summary="Delete one's comment (its replies stay)",
        parameters=[PROPOSAL_ID_NESTED, COMMENT_ID],
        responses={204: None, 403: FORBIDDEN, 404: NOT_FOUND},
    ),
)
class CommentViewSet(viewsets.GenericViewSet):
    """Comments of a proposal the requester may see (mapped in ``api_urls``)."""

    queryset = Comment.objects.none()  # typed for the schema; see get_queryset()
    serializer_class = CommentSerializer
    filter_backends: list = []

    ACTION_PERMISSIONS = {
        "metadata": [AllowAny],  # OPTIONS
        "list": [AllowAny],
        "create": [IsResident, CanComment],
        "partial_update": [IsResident, CanEditComment],
        "destroy": [IsResident, CanDeleteComment],
        "report": [IsResident, CanReport],
    }

    def get_permissions(self):
        classes = self.ACTION_PERMISSIONS.get(self.action, [IsResident])
        return [permission() for permission in classes]

    def get_proposal(self):
        if not hasattr(self, "_proposal"):
            self._proposal = visible_proposal(self.request, self.kwargs["proposal_id"])
        return self._proposal

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return Comment.objects.none()
        return (
            Comment.objects.filter(proposal=self.get_proposal())
            .select_related("author")
            .order_by("created_at", "pk")
        )

    def get_object(self):
        comment = get_object_or_404(self.get_queryset(), pk=self.kwargs["pk"])
        comment.proposal = self.get_proposal()
        self.check_object_permissions(self.request, comment)
        return comment

    def _respond(self, comment, status_code=status.HTTP_200_OK):
        serializer = CommentSerializer(comment, context=self.get_serializer_context())
        return Response(serializer.data, status=status_code)

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        serializer = CommentSerializer(page, many=True, context=self.get_serializer_context())
        return self.get_paginated_response(serializer.data)

    def create(self, request, *args, **kwargs):
        proposal = self.get_proposal()
        self.check_object_permissions(request, proposal)
        serializer = CommentCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        parent_id = serializer.validated_data.get("parent")
        parent = None
        if parent_id is not None:
            parent = Comment.objects.filter(pk=parent_id).select_related("parent").first()
            if parent is None:
                raise services.ProposalError(
                    _("Ce commentaire n'existe pas ou plus."), code="bad_parent"
                )
        comment = services.add_comment(
            proposal=proposal,
            author=request.user,
            body=serializer.validated_data["body"],
            parent=parent,
        )
        return self._respond(comment, status.HTTP_201_CREATED)

    def partial_update(self, request, *args, **kwargs):
        comment = self.get_object()
        serializer = CommentUpdateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        comment = services.edit_comment(
            comment=comment, actor=request.user, body=serializer.validated_data["body"]
        )
        return self._respond(comment)

    def destroy(self, request, *args, **kwargs):
        comment = self.get_object()
        services.delete_comment(comment=comment, actor=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(
        summary="Report a comment to the moderators",
        parameters=[PROPOSAL_ID_NESTED, COMMENT_ID],
        request=ReportSerializer,
        responses={200: ReportedSerializer, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND},
    )
    def report(self, request, *args, **kwargs):
        comment = self.get_object()
        serializer = ReportSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services.report(
            reporter=request.user, comment=comment, reason=serializer.validated_data["reason"]
        )
        return Response({"reported": True})
