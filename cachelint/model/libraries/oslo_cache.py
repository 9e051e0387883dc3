"""oslo.cache (4.x, oslo_cache/core.py): OpenStack's configuration of dogpile.cache regions.

`create_region()` is dogpile's `make_region` with oslo's key generator, so what it returns
is a dogpile region with dogpile's methods and their semantics (dogpile.py).
`get_memoization_decorator(conf, region, group, expiration_group=None)` is that region's
`cache_on_arguments`, whose expiration time comes from the configuration
(`[group] cache_time`, else `[cache] expiration_time`): it takes no TTL argument.
"""
from dataclasses import replace

from cachelint.model.libraries.dogpile import DOGPILE, MEMOIZED_METHODS
from cachelint.model.spec import ClientKind, Decorator

_PACKAGES = ("oslo_cache", "oslo_cache.core")  # the package re-exports core's functions

OSLO_CACHE = replace(
    DOGPILE,
    name="oslo.cache",
    title="oslo.cache",
    constructors={f"{package}.create_region": ClientKind() for package in _PACKAGES},
    decorators={
        f"{package}.get_memoization_decorator": Decorator("memoize", methods=MEMOIZED_METHODS) for package in _PACKAGES
    },
)
