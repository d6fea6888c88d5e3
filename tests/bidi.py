"""A check that text people wrote is isolated for bidirectional text on a page."""

import re

# Titles, scripts and options hold text only, and a chart's SVG labels are laid out by the
# chart: none can hold a <bdi>.
TAGS = re.compile(
    r"<title>.*?</title>|<script\b.*?</script>|<option\b.*?</option>|<svg\b.*?</svg>"
    r"|<(/?)(\w+)[^>]*>",
    re.S,
)


def unisolated(html, text):
    """The places where `text` shows on the page outside a <bdi> (attributes and the
    elements above left out), each with a little of what precedes it."""
    depth, found, position = 0, [], 0
    for match in TAGS.finditer(html):
        chunk = html[position : match.start()]
        if depth == 0 and text in chunk:
            at = chunk.index(text)
            found.append(chunk[max(0, at - 40) : at + len(text)].strip())
        closing, name = match.group(1), match.group(2)
        if name == "bdi":
            depth += -1 if closing else 1
        position = match.end()
    return found
