"""The query language: what a visitor typed (query.py) and what the engines are asked (plan.py)."""
