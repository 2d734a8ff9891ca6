"""What runs the stack outside AWS: the local stack on moto and its helpers."""
