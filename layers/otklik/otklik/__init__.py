"""otklik: marketplace and own-channel feedback turned into tickets, alerts, replies and reports."""

__version__ = "0.1.0"
