"""Marketplace HTTP clients (Wildberries, Ozon, Yandex Market) and what they share: failures, rate limits."""
