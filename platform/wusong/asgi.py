"""ASGI entry point for uvicorn/granian: ``wusong.asgi:app``."""

from wusong.app import create_app

app = create_app()
