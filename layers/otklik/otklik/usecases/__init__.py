"""Use cases: one function per pipeline step, talking to the ports (otklik.ports) they are given."""
