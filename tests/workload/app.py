# SPDX-License-Identifier: GPL-2.0-only
"""The workload suite's Python HTTP application, installed in the server
image under /app as many images keep theirs: a threaded server from the
standard library that counts its visits in an SQLite database (journal,
locks and fsync included) in $DATA_DIR and answers on $PORT."""

import os
import sqlite3
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

DATABASE = os.path.join(os.environ.get("DATA_DIR", "/data"), "visits.db")


def visit():
    with sqlite3.connect(DATABASE) as db:
        db.execute("CREATE TABLE IF NOT EXISTS visits (at TEXT DEFAULT CURRENT_TIMESTAMP)")
        db.execute("INSERT INTO visits DEFAULT VALUES")
        return db.execute("SELECT count(*) FROM visits").fetchone()[0]


class Handler(BaseHTTPRequestHandler):
    def do_GET(self):
        body = f"hello from /app, visit {visit()}\n".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):
        pass


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(os.environ.get("PORT", "8000"))), Handler).serve_forever()
