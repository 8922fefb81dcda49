"""Demand forecasting: smooth, trending, seasonal and intermittent models (issue 12)."""

from .models import MODELS, MatrixForecast, forecast_matrix

__all__ = ["MODELS", "MatrixForecast", "forecast_matrix"]
