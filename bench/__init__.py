"""Benchmarks and the synthetic organization generator (numbers, never assertions)."""
