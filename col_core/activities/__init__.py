"""Activities: what organisations publish, and learners' participation in them."""


def includeme(config):
    pass
