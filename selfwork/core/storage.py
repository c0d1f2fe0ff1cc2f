from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    """Hashed, compressed static files; an unhashed name when collectstatic has not run.

    Tests and development serve files through the finders without a manifest.
    """

    manifest_strict = False
