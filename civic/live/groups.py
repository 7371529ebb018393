"""Names of the Channels groups of the public "live" channel, built from the object."""

EVERYONE = "live-all"


def neighbourhood_group(neighbourhood_id):
    return f"live-neighbourhood-{neighbourhood_id}"


def groups_for_user(user):
    """A resident with a neighbourhood follows that neighbourhood; anyone else follows all."""
    if user.is_authenticated and getattr(user, "neighbourhood_id", None):
        return [neighbourhood_group(user.neighbourhood_id)]
    return [EVERYONE]
