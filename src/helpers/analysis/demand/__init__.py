"""Demand forecasting for the demand-trends report, one module per job.

``catalogue`` (the series and their parameter check) -> ``frames`` (every council's values from the tables) ->
``series`` (one council's series cut at its breaks; the long history joined by a level ratio) -> ``panel``
(every council's series as one array, with the years growth is learnt from) and ``populations`` (every
council's driving population as known at an origin; ``demography``: cohort ageing) -> ``candidates`` (the
forecasts that use what all councils know) -> ``rolling`` (the rolling-origin evaluation and the nested
procedure: pooled choice, a council's own evidence, intervals from past errors) -> ``forecast`` (one council's
analysis, :func:`helpers.analysis.demand.forecast.analyse`) and ``benchmark`` (the out-of-sample accuracy
figures); ``budget`` and ``prices`` (the budget-ready table, its unit cost moved to the base year). ``checks``,
``models``, ``drivers`` and ``evaluation`` are the single-series models and their backtest.
"""
