"""Renderers: tables on a terminal, JSON/CSV/Markdown/HTML for scripts and reports."""
