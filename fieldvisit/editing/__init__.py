"""Writing and reading records: the editor (the one place that stamps writes) and the views."""
