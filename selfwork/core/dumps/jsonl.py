"""The ``jsonl`` format of dumpdata/loaddata, times to the microsecond."""

from django.core.serializers import jsonl

from selfwork.core.dumps import FullPrecisionEncoder

Deserializer = jsonl.Deserializer


class Serializer(jsonl.Serializer):
    def _init_options(self) -> None:
        self.options.setdefault("cls", FullPrecisionEncoder)
        super()._init_options()  # type: ignore[misc]  # private, not in the stubs
