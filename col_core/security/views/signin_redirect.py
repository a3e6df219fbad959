"""Anonymous people who open a page that needs an account are sent to sign in, then back."""

from __future__ import annotations

from pyramid.httpexceptions import HTTPSeeOther


class SignedOutPredicate:
    """View predicate ``signed_out=True``: nobody is signed in."""

    def __init__(self, value, config):
        self.value = bool(value)

    def text(self) -> str:
        return f"signed_out = {self.value}"

    phash = text

    def __call__(self, context, request) -> bool:
        return (request.user is None) == self.value


def to_signin(exc, request):
    return HTTPSeeOther(request.route_url("signin", _query={"next": request.site_path}))


def includeme(config):
    config.add_view_predicate("signed_out", SignedOutPredicate)
    # Pages only (the API keeps its JSON 403), and only GET: a form post cannot be replayed.
    config.add_forbidden_view(
        to_signin, signed_out=True, request_method="GET", path_info=r"^/(?!api/)"
    )
