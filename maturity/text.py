"""Text people type: control characters taken out before any form sees it.

A control character has no glyph: in a comment or a name it showed as nothing on the page and
made WeasyPrint warn once for each in every PDF, which could fill the logs. Unicode's
embedding, override and isolate controls (U+202A–U+202E, U+2066–U+2069) are taken out too:
an override left open in a round's title could reverse the rest of a line. The pages isolate
what people wrote with <bdi> instead, so right-to-left names still read correctly. Tabs and
line breaks stay; so do the left-to-right and right-to-left marks, which change nothing
outside the text that holds them.
"""

import re

CONTROL_CHARACTERS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def strip_controls(text: str) -> str:
    return CONTROL_CHARACTERS.sub("", text)


class StripControlCharactersMiddleware:
    """Every posted form, the admin's included, reaches its view without control characters.

    One place rather than each form: a form added later cannot forget it.
    """

    FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.method == "POST" and request.content_type in self.FORM_TYPES:
            cleaned = request.POST.copy()
            for key, values in cleaned.lists():
                cleaned.setlist(key, [strip_controls(value) for value in values])
            cleaned._mutable = False
            request.POST = cleaned
        return self.get_response(request)
