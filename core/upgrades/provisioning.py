"""The outbox handler of kind ``provisioning``: tells the service's module what to do.

Runs after the transaction that queued it committed, outside any transaction;
a raise makes the outbox retry with back-off. The module is the product's
``provisioning_module`` (empty means ``log``, the built-in recording module).
"""

from __future__ import annotations

from typing import Any, Protocol

from core import runtime
from core.models import Product, Service
from core.plugins import collect_by_code

ACTIONS = ("create", "suspend", "unsuspend", "terminate", "change_package")


class ProvisioningModule(Protocol):
    """A control panel connector (``hookbill_provisioning_modules``): what the outbox handler calls.

    Each method runs after the transaction that queued it committed, outside any
    transaction; it may do network I/O, and a raise makes the outbox retry later.
    """

    code: str

    def create(self, service: Service) -> None: ...

    def suspend(self, service: Service) -> None: ...

    def unsuspend(self, service: Service) -> None: ...

    def terminate(self, service: Service) -> None: ...

    def change_package(self, service: Service, product: Product) -> None: ...


def modules() -> dict[str, ProvisioningModule]:
    """Every provisioning module by code; two with one code stop the worker."""
    return collect_by_code(runtime.hooks().hookbill_provisioning_modules(), "provisioning module")


def handle_provisioning(payload: dict[str, Any]) -> None:
    """Call ``module.<action>(service[, product])`` for the payload's service."""
    action = payload["action"]
    if action not in ACTIONS:
        raise ValueError(f"unknown provisioning action {action!r}")
    service = Service.get_by_id(payload["service_id"])
    code = payload.get("module") or service.product.provisioning_module or "log"
    module = modules().get(code)
    if module is None:
        raise LookupError(f"no provisioning module {code!r}")
    if action == "change_package":
        module.change_package(service, Product.get(Product.slug == payload["product"]))
    else:
        getattr(module, action)(service)
