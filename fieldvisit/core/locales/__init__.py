"""The locale catalogues (TOML), read by `fieldvisit.core.i18n`: a package so setuptools ships them as data."""
