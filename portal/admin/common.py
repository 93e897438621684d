"""Small helpers shared by the administration views (the role gate is permissions.require)."""

