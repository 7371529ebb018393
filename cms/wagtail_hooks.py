"""The Wagtail dashboard of the Régie: its to-do first, then the stock panels that help.

Each to-do panel is added only for staff allowed to act on it, by the rule of the pages it
links to: moderators see the ideas and reports, volunteer managers the shifts, assembly
managers the next assembly, staff who may write news the « Nouvelle actualité » button.
"""

from wagtail import hooks
from wagtail.admin.views.home import RecentEditsPanel

from civic.assemblies import rules as assembly_rules
from civic.proposals import rules as proposal_rules
from civic.volunteering import rules as volunteering_rules
from cms import avatars, dashboard

# After the to-do and the pages awaiting moderation: a reminder, not a task.
RECENT_EDITS_ORDER = 400


@hooks.register("construct_homepage_panels")
def add_regie_todo(request, panels):
    user = request.user
    todo = []
    add_url = dashboard.news_add_url(user)
    if add_url:
        todo.append(dashboard.NewsActionPanel(add_url))
    if proposal_rules.can_moderate(user):
        todo += [
            dashboard.IdeasToModeratePanel(request),
            dashboard.ReportsPanel(request),
            dashboard.UnansweredIdeasPanel(request),
        ]
    if volunteering_rules.can_manage(user):
        todo.append(dashboard.ShortShiftsPanel(request))
    if assembly_rules.is_assembly_manager(user):
        todo.append(dashboard.NextAssemblyPanel(request))

    # Wagtail's pages awaiting moderation (the Régie's news workflow) and locked pages stay;
    # its recent edits move below the to-do.
    for panel in panels:
        if isinstance(panel, RecentEditsPanel):
            panel.order = RECENT_EDITS_ORDER
    panels[:0] = todo


@hooks.register("get_avatar_url")
def initials_instead_of_a_silhouette(user, size):
    return avatars.avatar_url(user, size)
