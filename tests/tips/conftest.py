import threading

import pytest
from werkzeug.serving import make_server


@pytest.fixture
def live_server(app):
    """The app behind werkzeug's real HTTP server (its access log is what the anonymity test reads)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{server.server_port}"
    yield server
    server.shutdown()
    thread.join(timeout=5)
