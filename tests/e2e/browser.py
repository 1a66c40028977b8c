"""Headless Chromium for the end-to-end tests and the README screenshots.

Debian's chromium package, driven by Playwright; the flags keep it from reaching for the
network (this machine has none) and let it run as root in a container.
"""

from __future__ import annotations

CHROMIUM = "/usr/bin/chromium"
FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)


def launch(playwright):
    """A headless Chromium browser from a started Playwright."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=list(FLAGS))
