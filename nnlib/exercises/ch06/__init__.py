"""Checkers and reference solutions for the exercises of Chapter 6, Applications (one module
per notebook topic; :mod:`nnlib.exercises` loads them all)."""
