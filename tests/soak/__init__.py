"""The soak: thousands of signed webhooks under injected faults, then a count of what was lost or doubled.

`make soak` runs it on 10,000 webhooks (python -m tests.soak); tests/e2e/test_soak_small.py runs a small
one in the suite with the same judgement.
"""
