"""The ``json`` format of dumpdata/loaddata, times to the microsecond."""

from django.core.serializers import json

from selfwork.core.dumps import FullPrecisionEncoder

Deserializer = json.Deserializer


class Serializer(json.Serializer):
    def _init_options(self) -> None:
        self.options.setdefault("cls", FullPrecisionEncoder)
        super()._init_options()  # type: ignore[misc]  # private, not in the stubs
