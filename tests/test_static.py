import pytest
from django.core.management import call_command
from django.test import override_settings
from whitenoise.storage import CompressedManifestStaticFilesStorage


class GzipOnlyStorage(CompressedManifestStaticFilesStorage):
    """The production storage without its brotli pass.

    Brotli at its highest quality spends about 13 seconds on plotly.js alone (twice: the
    hashed and the unhashed copy), which is WhiteNoise's own work and finds nothing wrong
    with our files; the gzip pass and the manifest are the same as in production.
    """

    def create_compressor(self, **kwargs):
        return super().create_compressor(use_brotli=False, **kwargs)


PRODUCTION_STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": f"{__name__}.GzipOnlyStorage"},
}


@pytest.mark.slow
def test_collectstatic_succeeds_with_the_production_storage(tmp_path):
    # The manifest storage follows every url() and sourceMappingURL in the built files and
    # fails a deploy on a missing one, which the tests' plain storage would never notice.
    with override_settings(STATIC_ROOT=tmp_path, STORAGES=PRODUCTION_STORAGES):
        call_command("collectstatic", interactive=False, verbosity=0)

    manifest = (tmp_path / "staticfiles.json").read_text()
    for name in ("build/app.css", "build/govuk-frontend.js", "build/plotly.min.js", "js/app.js"):
        assert f'"{name}"' in manifest
    assert list(tmp_path.glob("build/app.*.css.gz"))
