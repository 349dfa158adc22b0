"""Serve the tutorial baseline with the chat's own uvicorn options: `python -m bench.tutorial --port P`."""

import argparse
import os

import uvicorn

from config.serve import STOCK_SERVER_OPTIONS

if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.tutorial.settings"
    port = parser.parse_args().port
    uvicorn.run("bench.tutorial.asgi:application", host="127.0.0.1", port=port, **STOCK_SERVER_OPTIONS)  # type: ignore[arg-type]
