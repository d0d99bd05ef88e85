"""The thin Textual App classes of the field app, the office app and the QR display."""
