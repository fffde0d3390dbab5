"""Demand forecasting for the demand-trends report, one module per job.

``catalogue`` (the series and their parameter check) -> ``series`` (every council's values from the tables,
one council's series cut at its breaks) -> ``checks`` (the series check and the parameter rules) ->
``models`` (naive, drift, linear, ETS) and ``drivers`` (demographic driver and stock-flow models, a council's
driving population; ``demography``: cohort ageing) -> ``evaluation`` (backtest, scores, model choice) ->
``budget`` (the budget-ready table, its scenario and unit costs) -> ``forecast`` (one council's analysis,
:func:`helpers.analysis.demand.forecast.analyse`) and ``benchmark`` (every council, for the accuracy figures).
"""
