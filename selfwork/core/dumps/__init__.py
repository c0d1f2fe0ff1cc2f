"""Django's JSON serialisers (``dumpdata``/``loaddata``), keeping whole microseconds.

Django's encoder cuts datetimes and times to milliseconds (ECMAScript's
precision). A dump must give back exactly what was stored: the ledger's
checksums cover each posting's time, and a time cut short makes every loaded
transaction fail the audit. ``selfwork.core.dumps.json`` and ``.jsonl`` are
registered for ``json`` and ``jsonl`` in ``SERIALIZATION_MODULES``; reading is
Django's own.
"""

import datetime as dt
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder


class FullPrecisionEncoder(DjangoJSONEncoder):
    """DjangoJSONEncoder, but datetimes and times keep their microseconds."""

    def default(self, o: Any) -> Any:
        if isinstance(o, dt.datetime):
            return o.isoformat()
        if isinstance(o, dt.time):
            if o.utcoffset() is not None:
                raise ValueError("JSON can't represent timezone-aware times.")
            return o.isoformat()
        return super().default(o)
