"""The collection app's JSON API (see ``registry.py``): receipt books and receipts under
``/api/collection``, ``/api/withholding``, ``/api/tax-files``, ``/api/deposits``,
``/api/reconciliations`` and ``/api/bank-statements``."""

from jumin.collection.api.routers.deposits import router as deposits_router
from jumin.collection.api.routers.receipts import router as receipts_router
from jumin.collection.api.routers.reconciliation import reconciliations_router
from jumin.collection.api.routers.statements import router as statements_router
from jumin.collection.api.routers.tax_files import router as tax_router
from jumin.collection.api.routers.withholding import batches_router

__all__ = [
    "batches_router",
    "deposits_router",
    "receipts_router",
    "reconciliations_router",
    "statements_router",
    "tax_router",
]
