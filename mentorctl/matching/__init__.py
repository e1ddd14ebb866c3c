"""Matching mentors to mentees; :mod:`mentorctl.matching.solvers` holds the pure solvers."""
