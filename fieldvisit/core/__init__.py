"""The record model every layer shares: ids, the hybrid clock, records, the vocabulary and input
rules, references, privacy masks, text safety, user-facing errors, i18n and shared crypto."""
