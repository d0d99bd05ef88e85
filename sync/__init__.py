"""Moving a laptop's records to the office and back: bundles, merge and QR frames (docs/architecture.md §6–7).

Plain Python, no Textual: the command line, the screens and the tests all drive it directly.
"""
