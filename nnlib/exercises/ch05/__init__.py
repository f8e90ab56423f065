"""Checkers and reference solutions for the exercises of Chapter 5, Architectures (one module
per notebook topic; :mod:`nnlib.exercises` loads them all)."""
