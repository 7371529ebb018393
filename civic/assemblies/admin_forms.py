"""The form of the assembly's create and edit pages in the Wagtail admin (its fields come
from the panels of ``wagtail_hooks.AssemblyViewSet``).

Checks what the database constraints would refuse anyway, but as messages next to the
fields: a quorum share above 100 %, colleges switched on without any college, an agenda
item without a title."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.forms import WagtailAdminModelForm

from civic.assemblies.models import QuorumKind
from civic.proposals.models import Proposal
from civic.territory.models import Neighbourhood


class AssemblyForm(WagtailAdminModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "neighbourhood" in self.fields:
            queryset = Neighbourhood.objects.active()
            if self.instance.neighbourhood_id:
                queryset = queryset | Neighbourhood.objects.filter(
                    pk=self.instance.neighbourhood_id
                )
            self.fields["neighbourhood"].queryset = queryset.order_by("name")
        items = self.formsets.get("items")
        if items is not None:
            for form in items.forms + [items.empty_form]:
                if "title" in form.fields:
                    form.fields["title"].required = True
                if "proposal" in form.fields:
                    # Public ideas, and any already linked whatever its state.
                    linked = form.instance.proposal_id if form.instance else None
                    visible = Proposal.objects.public()
                    if linked:
                        visible = visible | Proposal.objects.filter(pk=linked)
                    form.fields["proposal"].queryset = visible.order_by("-created_at", "-pk")
                    form.fields["proposal"].required = False

    def clean(self):
        cleaned = super().clean()
        if (
            cleaned.get("quorum_kind") == QuorumKind.SHARE
            and (cleaned.get("quorum_value") or 0) > 100
        ):
            self.add_error("quorum_value", _("Une part des personnes inscrites va de 0 à 100 %."))
        if cleaned.get("use_colleges") and not self._kept_forms("colleges"):
            self.add_error(
                "use_colleges",
                _("Le vote par collèges demande au moins un collège : ajoutez-en un ci-dessous."),
            )
        return cleaned

    def _kept_forms(self, name):
        formset = self.formsets.get(name)
        if formset is None:
            return []
        kept = []
        for form in formset.forms:
            if not form.has_changed() and not form.instance.pk:
                continue
            # Read from the raw data: the child forms are validated after this form.
            if formset.can_delete and form["DELETE"].value():
                continue
            kept.append(form)
        return kept
