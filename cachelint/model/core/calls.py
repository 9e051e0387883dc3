"""Which function of this module a call runs.

    def _rebuild(pk): ...

    class Reports:
        def get(self, pk):
            return self._rebuild(pk)     # function_called(self._rebuild, ...) -> Reports._rebuild
        def _rebuild(self, pk): ...

    _rebuild(pk)                         # function_called(_rebuild, ...) -> the module's _rebuild

A name resolves when exactly one binding of it is visible there and it is a `def`; a
method called through `self`/`cls` when the class defines it once.
"""
from __future__ import annotations

import libcst as cst

from cachelint.model.core.scopes import Scope


class CallResolver:
    """Resolves the callee of calls in one module."""

    def function_called(self, func: cst.BaseExpression, scope: Scope, order: int) -> cst.FunctionDef | None:
        """The function of this module that `func(...)` runs at `order` in `scope`:
        `helper(...)`, or `self.helper(...)`."""
        binding = None
        if isinstance(func, cst.Name):
            bindings = scope.lookup(func.value, order)
            binding = bindings[0] if len(bindings) == 1 else None
        elif isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name):
            method = scope.function
            if method is not None and method.owner is not None and func.value.value == method.self_name:
                found = method.owner.bindings.get(func.attr.value, ())
                binding = found[-1] if len(found) == 1 else None
        if binding is not None and binding.kind == "def" and isinstance(binding.value, cst.FunctionDef):
            return binding.value
        return None
