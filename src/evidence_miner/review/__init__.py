"""The reviewer's view of a store in Datasette: a plugin (hooks in plugin.py) with its templates
and static files, registered by `evidence-miner browse`."""

from evidence_miner.review.plugin import (
    extra_css_urls,
    prepare_jinja2_environment,
    register_facet_classes,
    register_routes,
    render_cell,
)

__all__ = [
    "extra_css_urls",
    "prepare_jinja2_environment",
    "register_facet_classes",
    "register_routes",
    "render_cell",
]
