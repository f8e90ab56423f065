"""Checkers and reference solutions for the exercises of Chapter 7, Frontiers (one module
per notebook topic; :mod:`nnlib.exercises` loads them all)."""
