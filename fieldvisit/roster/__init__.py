"""The laptop's employee roster: who works where, so a recorder picks a person instead of typing
name, unit and phone (issue 14 §4).

`columns` recognises an HR export's header row, `reading` turns an xlsx or csv file into people
with a report of what was recognised, `people` finds a person by employee number or the first
characters of a name, `keeping` keeps the roster beside the store, sealed with the store's
passphrase when it has one. The roster never goes into a bundle: `fieldvisit.sync` and this
package are independent layers (pyproject `[tool.importlinter]`), so no export can read it.
"""
