"""Takes docs/dashboard.png from a running demo: `python docs/screenshot.py [BASE_URL]`.

Needs Chromium at /usr/bin/chromium and a CJK font (Debian: fonts-noto-cjk)."""

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

BASE = sys.argv[1] if len(sys.argv) > 1 else "http://127.0.0.1:8000"
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

with sync_playwright() as playwright:
    browser = playwright.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
    page = browser.new_page(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    page.goto(f"{BASE}/accounts/login/")
    page.fill("#id_username", "academic")
    page.fill("#id_password", "cems-demo-2026")
    page.click("button[type=submit].primary")
    page.wait_for_url(f"{BASE}/")
    page.screenshot(path=str(Path(__file__).parent / "dashboard.png"), full_page=False)
    browser.close()
