"""Binding a community's modes to installed processes."""

import datetime as dt

from django.db import transaction
from django.utils.translation import gettext

from selfwork.communities.models import Community
from selfwork.communities.selectors import host_required
from selfwork.core.errors import InvalidInput
from selfwork.exchanges.engine import process_load
from selfwork.exchanges.models import ProcessBinding
from selfwork.exchanges.selectors import DEFAULT_MODE_PROCESS


@transaction.atomic
def process_bind(
    *, community: Community, mode: str, process: str, actor, now: dt.datetime
) -> ProcessBinding | None:
    """Make ``mode`` run ``process`` in ``community`` (its host only).

    Binding a mode to its default process removes the binding. Exchanges
    already running keep the process (and version) they started on.

    :raises NotPermitted: ``not_host``.
    :raises InvalidInput: ``unknown_mode`` (or not enabled in the community).
    :raises NotFound: ``process_not_found`` when no such process is installed.
    """
    host_required(community=community, member=actor)
    if mode not in DEFAULT_MODE_PROCESS or mode not in community.enabled_modes:
        raise InvalidInput(
            gettext("'%(mode)s' is not a mode of this community; it has %(value)s.")
            % {"mode": str(mode)[:30], "value": ", ".join(community.enabled_modes)},
            field="mode",
            code="unknown_mode",
        )
    definition = process_load(str(process)[:40])
    if definition.name == DEFAULT_MODE_PROCESS[mode]:
        ProcessBinding.objects.filter(community=community, mode=mode).delete()
        return None
    binding, _ = ProcessBinding.objects.update_or_create(
        community=community,
        mode=mode,
        defaults={"process_name": definition.name, "updated_at": now},
    )
    return binding
