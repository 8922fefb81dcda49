"""The plan's stages, one module each, as :func:`workbench.plan_from_stats` runs them.

1. :mod:`.inputs`: the demand statistics aligned on the items, the demand after the
   scenario's multiplier, and the items' costs, lead times, MOQ and pack (checked).
2. :mod:`.classes`: ABC by annual value, XYZ by cv, and the service target.
3. :mod:`.distribution_choice`: the Syntetos-Boylan-Croston demand class and the
   lead-time demand model of each SKU; :mod:`.demand_source`: history or forecast.
4. :mod:`.order_quantity`: the EOQ, rounded up to the pack and the MOQ.
5. :mod:`.reorder_point` ((s, Q), (s, S): the undershoot-aware reorder point) and
   :mod:`.order_up_to` ((R, S)), on the demand pmfs of :mod:`.demand_pmf`.
6. :mod:`.costs`: orders a year, safety and cycle stock, their costs, the average stock.
7. :mod:`.columns`: the plan frame, :data:`PLAN_COLUMNS`.

Each stage is vectorised over SKUs (one call per demand model and size class, never
per SKU). The public names stay importable from :mod:`workbench.scenario`.
"""
