"""HTTP glue shared by the Chalice apps."""
