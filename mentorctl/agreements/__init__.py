"""Agreements: rendering each pair's agreement (Markdown, HTML, PDF) and its calendar."""
