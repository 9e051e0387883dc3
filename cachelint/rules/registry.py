"""The rule registry: every rule, in code order (cachelint.rules reads it on first use)."""
from __future__ import annotations

from cachelint.rules.base import BaseRule
from cachelint.rules.cache_before_db_write import CacheBeforeDbWrite
from cachelint.rules.cache_write_in_transaction import CacheWriteInTransaction
from cachelint.rules.error_response_cached import ErrorResponseCached
from cachelint.rules.key_missing_user_scope import KeyMissingUserScope
from cachelint.rules.key_never_repeats import KeyNeverRepeats
from cachelint.rules.key_without_namespace import KeyWithoutNamespace
from cachelint.rules.keys_pattern_scan import KeysPatternScan
from cachelint.rules.missing_invalidation import MissingInvalidation
from cachelint.rules.racy_check_then_set import RacyCheckThenSet
from cachelint.rules.read_write_key_mismatch import ReadWriteKeyMismatch
from cachelint.rules.sensitive_data_cached import SensitiveDataCached
from cachelint.rules.set_without_ttl import SetWithoutTtl
from cachelint.rules.truthy_miss_check import TruthyMissCheck
from cachelint.rules.unsanitized_input_in_key import UnsanitizedInputInKey
from cachelint.rules.unused_suppression import UnusedSuppression
from cachelint.rules.view_cache_ignores_input import ViewCacheIgnoresInput
from cachelint.rules.zero_ttl import ZeroTtl

ALL_RULES: list[type[BaseRule]] = [
    TruthyMissCheck, SetWithoutTtl, KeyWithoutNamespace, KeyMissingUserScope, UnsanitizedInputInKey, CacheBeforeDbWrite,
    KeysPatternScan, SensitiveDataCached, CacheWriteInTransaction, MissingInvalidation,
    KeyNeverRepeats, ViewCacheIgnoresInput, ZeroTtl, RacyCheckThenSet, ReadWriteKeyMismatch,
    ErrorResponseCached, UnusedSuppression,
]
ALL_RULES.sort(key=lambda rule: rule.code)  # in code order, wherever a rule is listed

BY_CODE: dict[str, type[BaseRule]] = {rule.code: rule for rule in ALL_RULES}
BY_NAME: dict[str, type[BaseRule]] = {rule.name: rule for rule in ALL_RULES}
