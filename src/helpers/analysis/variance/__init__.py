"""Forecast variance of a council's own budget monitoring.

``budget`` (the variance table, per cent, RAG thresholds, service scope, movement), ``price_volume`` (the
key-activity decomposition), ``projection`` (projection from spend to date), ``savings`` (savings and reserves),
``summary`` (the largest variances and their drivers).
"""
