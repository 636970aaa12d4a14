"""CLI command modules: each defines ``register(app)``; cli.py wires them."""
