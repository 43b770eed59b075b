"""Django's SQLite backend, reading out-of-range decimals instead of failing on them (see base.py)."""
