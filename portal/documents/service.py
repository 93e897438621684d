"""The document register: drafts, 发文字号 numbering, issuing (immutable, PDF stored with its SHA-256),
corrections that supersede, links to ledger Problems, the seal image.

Re-exported here for views, demo data, tests and benchmarks (`service.<name>`); the code lives in:
  errors.py   DocumentError, DocumentLocked
  drafts.py   drafts and their linked Problems
  issuing.py  checks before issuing, numbering, issuing, stored/draft PDFs, corrections
  seal.py     the seal image
  register.py the register's scope and query
"""

from ..models.document import DEFAULT_PREFIX  # noqa: F401 - used by callers as service.DEFAULT_PREFIX
from .errors import DocumentError, DocumentLocked  # noqa: F401
from .drafts import (PREFIX_RE, CONTENT_FIELDS, create_draft, update_draft, delete_draft, set_problems,
                     linked_problems)  # noqa: F401
from .issuing import (fonts_dir, issue_problems, missing_glyphs, glyph_message, issue, stored_pdf, draft_pdf,
                      correct)  # noqa: F401
from .seal import (SEAL_MIN_PX, SEAL_MAX_PX, SEAL_MAX_BYTES, validate_seal, save_seal, active_seal,
                   load_seal_png)  # noqa: F401
from .register import register_query  # noqa: F401
