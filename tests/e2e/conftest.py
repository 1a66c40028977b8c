"""Shared fixtures of the end-to-end tests: one headless Chromium per test module."""

from __future__ import annotations

import pytest

from tests.e2e.browser import launch


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = launch(playwright)
        yield chromium
        chromium.close()
