"""Adapters: the only modules that talk to AWS or the network. Each takes its client from outside."""
