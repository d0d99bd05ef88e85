"""The Store interface and its back-ends: the atomic TinyDB file, the splicing store for large
office stores, the in-memory store, and the field store's at-rest passphrase."""
