"""Textual screens and widgets of the field and office apps (installed as `fieldvisit.screens`)."""
