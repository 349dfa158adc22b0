"""The baseline: the Channels tutorial's chat, as the tutorial writes it (no persistence, JSON, group_send).

It is served by the same uvicorn options as the chat (config/serve.py), so
that the figures beside ours compare application designs, not servers.
"""
