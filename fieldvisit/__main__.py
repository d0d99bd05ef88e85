"""`python -m fieldvisit` runs the same command line as the `fieldvisit` script."""

from fieldvisit.cli import main

main()
