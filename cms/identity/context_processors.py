from civic.links import absolute_url

from . import identity as regie_identity


def identity(request):
    """``identity``: the Régie's name, logo, icons and colour for base.html; and
    ``identity_share_url``, the absolute address of its default link-preview picture."""
    data = regie_identity.for_request(request)
    share = data["share_image"]
    return {
        "identity": data,
        "identity_share_url": absolute_url(share["url"], request) if share else "",
    }
