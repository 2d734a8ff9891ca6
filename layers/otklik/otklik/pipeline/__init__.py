"""Use cases: one function per pipeline step, wiring domain rules to the ports they are given."""
