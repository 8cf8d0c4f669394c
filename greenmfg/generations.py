"""Generation numbers: one per area of data, bumped after every commit that changes the area.

A cached page is stored under the generations of the areas it shows, so a change makes the old copy unreachable
at once, in every web process (the numbers live in the shared cache). The bump that counts runs on commit, after
the data is visible: a reader that sees the new number also sees the new data, and one that rendered from the old
data stored its copy under an older number, which nobody asks for again.

Each app declares which of its models feed which areas (``watch`` in its ``AppConfig.ready``); saves and deletes
bump through signals, and the writes that skip signals (``update``, ``bulk_create``, ``bulk_update``, queryset
``delete``) through ``BumpingQuerySet``, which the watched models' managers use.
"""

import logging
import time

from django.core.cache import cache
from django.db import models, transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

logger = logging.getLogger(__name__)

LISTS = "lists"  # the green lists, their units and organisations' names
PUBLICITY = "publicity"  # 公示 notices and their objections
EVALUATORS = "evaluators"  # the evaluator directory: approvals, bans, rosters, evidence, yearly counts
DECLARATIONS = "declarations"  # declarations' states (the front page counts those under way)
WORK = "work"  # what waits on someone: the dashboards' panels

_watched: dict[type, tuple[str, ...]] = {}


def _key(area):
    return f"generation:{area}"


def current(*areas) -> tuple[int, ...] | None:
    """The areas' generations, or None when the cache cannot say (then nothing may be served from it)."""
    return with_change_time(*areas)[0]


AREAS = (LISTS, PUBLICITY, EVALUATORS, DECLARATIONS, WORK)


class Snapshot:
    """Every area's generation and change time, read in one round trip with some other cache entries."""

    def __init__(self, also=()):
        keys = [_key(area) for area in AREAS]
        self._found = cache.get_many([*keys, *(f"{key}:at" for key in keys), *also])
        self.extras = {key: self._found[key] for key in also if key in self._found}

    def numbers(self, areas) -> tuple[int, ...] | None:
        """The areas' generations, or None when one of them is not in the cache (then nothing may be served)."""
        try:
            return tuple(self._found[_key(area)] for area in areas)
        except KeyError:
            return None

    def changed_at(self, areas) -> float | None:
        """When the last of the areas changed (seconds since the epoch, for Last-Modified; None if never)."""
        times = [self._found.get(f"{_key(area)}:at") for area in areas]
        return max((at for at in times if at is not None), default=None)


def with_change_time(*areas, also=()) -> tuple[tuple[int, ...] | None, float | None, dict]:
    """The areas' generations (None when the cache cannot say), when the last of them changed (seconds since the
    epoch, for Last-Modified; None if never) and the cache entries named in ``also`` that exist, all in one round
    trip to the cache when the generations are known."""
    snapshot = Snapshot(also)
    numbers = snapshot.numbers(areas)
    if numbers is None:
        for area in areas:
            # A fresh number never equals an old one: counters start at the clock in nanoseconds and grow by one
            # per change, so a counter lost with the cache cannot come back to a value pages were stored under.
            cache.add(_key(area), time.time_ns(), timeout=None)
        found = cache.get_many([_key(area) for area in areas])
        if len(found) == len(areas):
            numbers = tuple(found[_key(area)] for area in areas)
    return numbers, snapshot.changed_at(areas), snapshot.extras


# What every signed-in page remembers (its navigation, the footer's plan): functions giving each one's key for a
# request, registered by the code that remembers it, so that the page's first ``remembered`` reads them all.
_page_parts = []


def on_every_page(key_for):
    """Register ``key_for(request) -> key or None``: a value every page remembers under that key."""
    _page_parts.append(key_for)
    return key_for


def _read(key, request):
    """The generations and ``key``'s entry: for a request, one round trip for everything its page remembers."""
    if request is None:
        return Snapshot(also=[key])
    read = request.__dict__.setdefault("_remembered", {})
    if key not in read:
        keys = [key]
        if not read:  # the page's first: what every page remembers comes along
            keys += [
                f"remembered:{part_key}" for part_key in (part(request) for part in _page_parts) if part_key
            ]
        snapshot = Snapshot(also=keys)
        read.update(dict.fromkeys(keys, snapshot))
    return read[key]


def remembered(key, areas, compute, timeout, request=None):
    """``compute()``'s value, kept in the cache under ``key`` until one of ``areas`` changes (or ``timeout``
    seconds pass); computed afresh, and not kept, when the cache cannot say. Given the ``request``, the first
    value a page remembers is read in one round trip with the others registered ``on_every_page``."""
    key = f"remembered:{key}"
    snapshot = _read(key, request)
    numbers = snapshot.numbers(areas)
    if numbers is None:
        numbers = with_change_time(*areas)[0]  # a generation not yet in the cache starts there
        if numbers is None:
            return compute()
    stored = snapshot.extras.get(key)
    if stored is not None and stored[0] == numbers:
        return stored[1]
    value = compute()
    cache.set(key, (numbers, value), timeout)
    return value


def _bump_now(areas):
    now = time.time()
    for area in areas:
        try:
            cache.incr(_key(area))
        except ValueError:
            cache.add(_key(area), time.time_ns(), timeout=None)
        cache.set(f"{_key(area)}:at", now, timeout=None)


def bump(*areas):
    """Mark the areas changed now, so the writing transaction reads its own change, and again on commit, so no
    copy rendered by another process between the two (from the data before the commit) stays reachable."""
    _bump_now(areas)
    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(lambda: _bump_now(areas), robust=True)


def bump_for(model):
    areas = _watched.get(model._meta.concrete_model)
    if areas:
        bump(*areas)


def _on_write(sender, **kwargs):
    bump_for(sender)


def watch(model, *areas):
    """Every write to ``model`` bumps ``areas``."""
    model = model._meta.concrete_model
    _watched[model] = tuple(dict.fromkeys(_watched.get(model, ()) + areas))
    post_save.connect(_on_write, sender=model, dispatch_uid=f"generations:save:{model._meta.label}")
    post_delete.connect(_on_write, sender=model, dispatch_uid=f"generations:delete:{model._meta.label}")


def _on_m2m(sender, action, **kwargs):
    if action in ("post_add", "post_remove", "post_clear"):
        bump_for(sender)


def watch_m2m(through, *areas):
    """Every change to a many-to-many relation (``Model.field.through``) bumps ``areas``."""
    _watched[through] = tuple(dict.fromkeys(_watched.get(through, ()) + areas))
    m2m_changed.connect(_on_m2m, sender=through, dispatch_uid=f"generations:m2m:{through._meta.label}")


class BumpingQuerySet(models.QuerySet):
    """Writes that send no per-row signal bump the model's areas too."""

    def update(self, **kwargs):
        rows = super().update(**kwargs)
        if rows:
            bump_for(self.model)
        return rows

    def bulk_create(self, objs, *args, **kwargs):
        created = super().bulk_create(objs, *args, **kwargs)
        if created:
            bump_for(self.model)
        return created

    def bulk_update(self, objs, *args, **kwargs):
        rows = super().bulk_update(objs, *args, **kwargs)
        if rows:
            bump_for(self.model)
        return rows

    def delete(self):
        deleted = super().delete()
        if deleted[0]:
            bump_for(self.model)
        return deleted
