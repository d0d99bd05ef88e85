"""pytest fixtures for a real PostgreSQL server (tests/pg_cluster.py), imported by conftest.

`postgres_url`: one server for the session, or `FIELDVISIT_TEST_PG_URL` (its database is wiped
by the tests). With no server binaries the PostgreSQL tests fail, naming what to install; they
skip only when `FIELDVISIT_ALLOW_NO_PG=1` says that is fine on this machine.
`postgres_store_url`: that database with a fresh fieldvisit schema for one test."""

from __future__ import annotations

import os

import pytest
from pg_cluster import ALLOW_MISSING_VARIABLE, URL_VARIABLE, NoServer, start_cluster


@pytest.fixture(scope="session")
def postgres_url():
    given = os.environ.get(URL_VARIABLE)
    if given:
        yield given
        return
    try:
        cluster = start_cluster()
    except NoServer as error:
        cluster, missing = None, str(error)
    if cluster is None:  # outside the except: the failure is one clear line, not a chained traceback
        if os.environ.get(ALLOW_MISSING_VARIABLE) == "1":
            pytest.skip(f"{missing} ({ALLOW_MISSING_VARIABLE}=1)")
        pytest.fail(f"{missing}; or set {ALLOW_MISSING_VARIABLE}=1 to skip the PostgreSQL tests", pytrace=False)
    try:
        yield cluster.url
    finally:
        cluster.stop()


@pytest.fixture
def postgres_store_url(postgres_url):
    from fieldvisit.stores.postgres import create_schema, drop_schema

    drop_schema(postgres_url)
    create_schema(postgres_url)
    return postgres_url
