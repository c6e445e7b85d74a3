"""Imported by the fork server the local cluster's workers are forked from (``flows.local_cluster``):
loads and warms the cleaners once, so that every worker starts with them."""

from flows.local_cluster import warm_up

try:
    warm_up()
except Exception:  # noqa: BLE001, S110 - each worker warms up again (dask_setup) and reports it there
    pass
