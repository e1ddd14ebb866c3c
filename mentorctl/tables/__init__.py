"""Tables: reading CSV/XLSX files and form exports, dates in them, and safe CSV output.

This layer knows files, not the roster: it sits under every package that imports one.
"""
