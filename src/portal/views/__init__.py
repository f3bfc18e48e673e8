"""The public views; each names its permission (the security policy arrives with issue 4)."""


def includeme(config):
    config.add_request_method(".layout.Layout", "layout", reify=True)
    config.scan(".")
    config.include(".manage")
    config.include(".unavailable")
