"""A city's own pages: its legal texts, and the settings page where its admins edit branding
(colours, pictures) and texts (site title, welcome, footer, legal pages) per language."""


def includeme(config):
    config.add_route("legal", "/legal/{page}")
    config.add_route("cityadmin.branding", "/admin/branding")
    config.scan("col_core.cityadmin.views")
