from django import template

from cms import seo

register = template.Library()


@register.simple_tag(takes_context=True)
def page_meta(context):
    """``{% page_meta as meta %}``: what templates/includes/head_meta.html writes."""
    return seo.page_meta(context)
