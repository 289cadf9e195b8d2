"""The bundled offline corpus (``site/``, ``feeds.toml``) and the loopback server that serves it."""
