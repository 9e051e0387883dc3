"""The model of a module's cache operations that every rule reads (DESIGN.md, step 4)."""
from cachelint.model.build import ModuleModel, build_model
from cachelint.model.clients import CustomClients
from cachelint.model.facts import CacheDecorator, CacheOp, Client, TruthTest, Ttl
from cachelint.model.spec import Kind, Meaning

__all__ = [
    "CacheDecorator", "CacheOp", "Client", "CustomClients", "Kind", "Meaning", "ModuleModel",
    "TruthTest", "Ttl", "build_model",
]
