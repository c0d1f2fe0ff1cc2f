from django.contrib.staticfiles.storage import StaticFilesStorage
from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed static files; an unhashed name when collectstatic has not run.

    Tests and development serve files through the finders without a manifest.
    """

    manifest_strict = False

    def url(self, name, force=False):
        try:
            return super().url(name, force)
        except ValueError:
            # Without a manifest the mixin hashes the file's content from
            # STATIC_ROOT, which is empty until collectstatic: link it unhashed
            # and let the finders serve it.
            return StaticFilesStorage.url(self, name)
