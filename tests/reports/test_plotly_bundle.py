"""The plotly.js bundle the report page loads: the trace types our charts use, no more."""

from django.contrib.staticfiles import finders

MAX_BYTES = 1_500_000


def bundle():
    path = finders.find("build/plotly.min.js")
    assert path, "static/build/plotly.min.js is missing: run `make assets`"
    with open(path, encoding="utf-8") as file:
        return file.read()


def test_bundle_is_the_partial_one():
    source = bundle()
    assert len(source.encode()) <= MAX_BYTES
    # The map library and the 3D traces of the whole bundle are left out.
    assert "maplibre" not in source and '"scatter3d"' not in source


def test_bundle_registers_the_traces_the_charts_use():
    source = bundle()
    # scatter, for the perception gap, comes with plotly's core.
    assert '"scatterpolar"' in source and '"bar"' in source and '"scatter"' in source
    # What the <link class="no-inline-styles"> in _plotly.html relies on, for the CSP.
    assert "no-inline-styles" in source
