"""Reader module (being written)."""
READERS: list = []
