"""Marketplace connectors: Wildberries, Ozon and Yandex Market, in (poll, push) and out (replies)."""
