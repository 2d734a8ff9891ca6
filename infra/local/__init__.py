"""A SAM template on one machine: moto for AWS, an in-process Lambda runtime, API Gateway and triggers.

The modules build on each other: ``template`` (load and resolve), ``resources`` (create the template's
tables, queues, buckets and topics), ``runtime`` (invoke a handler as Lambda would), ``api``, ``mappings``
and ``schedules`` (the triggers), and ``stack`` (all of them together). ``python -m infra.local`` runs
this project's template.
"""
