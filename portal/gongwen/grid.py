"""The page grid of GB/T 9704-2012 as the engine uses it: sizes in pt, the document kinds and formats."""
import os

from . import typeset as ts

MM = 72 / 25.4
P = 28.95                         # line pitch, pt
CELL = ts.CELL                    # grid cell, pt
BLOCK_W = ts.BLOCK_W              # 442.2pt
CAP = 22 * P                      # usable height of a page, pt (≤ 225 mm)
BODY = 16.0
FIG_WIDTH = BLOCK_W               # figure width, pt (= the text block, 156 mm)
FIG_BASELINE = 21.0               # figures: text baseline below the top of each grid line, pt (convention)

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TEMPLATES = os.path.join(ROOT, "templates", "documents")
CSS_PATH = os.path.join(ROOT, "static", "css", "gongwen.css")

KINDS = ("circular", "notice", "reminder-letter", "talk-notice", "work-plan", "report",
         "self-check-report", "department-report", "minutes", "supervision-notice")
FORMAT = {"circular": "red", "notice": "red", "report": "red", "minutes": "minutes",
          "reminder-letter": "letter", "talk-notice": "letter", "supervision-notice": "red",
          "work-plan": "plain", "self-check-report": "plain", "department-report": "plain"}
