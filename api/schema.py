def only_public_api(endpoints):
    """Keep our own API in the schema: Wagtail's admin also registers endpoints."""
    return [endpoint for endpoint in endpoints if endpoint[0].startswith("/api/")]


EMPTY_STRING = {"type": "string", "maxLength": 0}


def blank_is_any_of(result, generator, request, public):
    """A blank-allowed field with a format (an empty website, an empty email) is either ""
    or a formatted string: drf-spectacular writes ``oneOf: [format, maxLength 0]``, and ""
    matches both branches when a validator does not assert formats (JSON Schema's default),
    so strict validators reject the Régie's empty ``website``. ``anyOf`` says what we mean."""

    def walk(node):
        if isinstance(node, dict):
            if EMPTY_STRING in node.get("oneOf", []):
                node["anyOf"] = node.pop("oneOf")
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(result)
    return result


def nullable_as_type(result, generator, request, public):
    """OpenAPI 3.1 has no ``nullable``: DRF's paginated lists still write it (``next`` and
    ``previous`` are null on the first and last pages), which 3.1 validators ignore, so a
    strict client refused the nulls. Turn it into a ``"null"`` type."""

    def walk(node):
        if isinstance(node, dict):
            if node.pop("nullable", False) and "type" in node:
                types = node["type"] if isinstance(node["type"], list) else [node["type"]]
                node["type"] = [*types, "null"] if "null" not in types else types
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(result)
    return result
