"""A person at Label Studio's editor, played by Selenium on the system's Chromium.

Only what a person does: log in through the form, open a task, press keys, drag the mouse
across characters, click regions, fields and buttons. Where a character sits on the screen
is read from the page (a DOM range over its text node, after scrolling it into view); the
editor's own code is never called, so the offsets it stores are its own.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.actions.action_builder import ActionBuilder
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys

INSTALL_HINT = (
    "Chromium is not installed: as root run `apt-get install -y chromium chromium-driver` (.ci/run does it on CI)"
)
CHROMIUM_NAMES = ("chromium", "chromium-browser")
CHROME_ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
)
WINDOW = (1400, 1000)
PAUSE = 0.25  # seconds between a person's actions: lets the editor re-render, keeps the run short
TEXT_ROOT = ".lsf-richtext__container"
REGION = f"{TEXT_ROOT} span.htx-highlight"

# The on-screen box of the code point at an offset of the page text. The editor renders each
# line of the text as its own element and each CR or LF as a <br>, so the page text is the
# text nodes and <br>s of the container in document order, a <br> counting one character.
_CHAR_BOX = """
const [index, rootSelector] = arguments;
const root = document.querySelector(rootSelector);
const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT);
let pos = 0, node;
while ((node = walker.nextNode())) {
  if (node.nodeType === Node.TEXT_NODE) {
    let unit = 0;
    for (const ch of node.data) {
      if (pos === index) {
        node.parentElement.scrollIntoView({block: 'center'});
        const range = document.createRange();
        range.setStart(node, unit);
        range.setEnd(node, unit + ch.length);
        const box = range.getBoundingClientRect();
        return [box.left, box.top, box.width, box.height];
      }
      pos += 1;
      unit += ch.length;
    }
  } else if (node.nodeName === 'BR') {
    pos += 1;
  }
}
return null;
"""


def browser_paths() -> tuple[str, str] | None:
    """The system's Chromium and its driver, or None when either is missing."""
    chromium = next((p for p in map(shutil.which, CHROMIUM_NAMES) if p), None)
    driver = shutil.which("chromedriver")
    return (chromium, driver) if chromium and driver else None


def start_browser(profile: Path) -> Any:
    """Headless Chromium with a fresh profile, driven through chromedriver (no download)."""
    paths = browser_paths()
    assert paths is not None, INSTALL_HINT
    options = webdriver.ChromeOptions()
    options.binary_location = paths[0]
    for arg in (*CHROME_ARGS, f"--user-data-dir={profile}", f"--window-size={WINDOW[0]},{WINDOW[1]}"):
        options.add_argument(arg)
    return webdriver.Chrome(service=Service(paths[1]), options=options)


def wait_for(what: str, check: Callable[[], Any], timeout: float = 30.0) -> Any:
    """Poll until ``check`` returns something true; fail naming ``what``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = check()
        if found:
            return found
        time.sleep(0.1)
    raise AssertionError(f"timed out after {timeout:.0f}s waiting for {what}")


class Editor:
    """The labeling view of one Label Studio server, used by mouse and keyboard."""

    def __init__(self, driver: Any, url: str):
        self.driver, self.url = driver, url
        self.instructions_shown = ""

    # ------------------------------------------------------------------ pages

    def login(self, email: str, password: str) -> None:
        self.driver.get(f"{self.url}/user/login/")
        self.driver.find_element(By.NAME, "email").send_keys(email)
        self.driver.find_element(By.NAME, "password").send_keys(password)
        self.driver.find_element(By.CSS_SELECTOR, "button[type=submit], input[type=submit]").click()
        wait_for("the login to finish", lambda: "/user/login" not in self.driver.current_url)

    def start_labeling(self, project_id: int) -> None:
        """The project's task list, then "Label All Tasks": the instructions pop up first; read, close."""
        self.driver.get(f"{self.url}/projects/{project_id}/data")
        self.click(self._one("//button[normalize-space()='Label All Tasks']"))
        body = wait_for("the instructions", lambda: [m for m in self._all(".lsf-modal-ls__body") if m.is_displayed()])
        self.instructions_shown = body[0].text
        self.click(self._one("//button[@aria-label='Close modal']"))
        wait_for(
            "the instructions to close", lambda: not any(m.is_displayed() for m in self._all(".lsf-modal-ls__body"))
        )
        self.wait_for_page()

    def open_task(self, project_id: int, task_id: int) -> None:
        """Open one task from the task list in the labeling view."""
        self.driver.get(f"{self.url}/projects/{project_id}/data?task={task_id}")
        self.wait_for_page()

    def wait_for_page(self, starts: str = "") -> None:
        """Until the editor shows a page (whose text starts with ``starts``)."""

        def shown() -> bool:
            lines = self._all(f"{TEXT_ROOT} .lsf-richtext__line")
            return bool(lines) and lines[0].text.startswith(starts.splitlines()[0] if starts else "")

        wait_for("the editor to show the page", shown)
        time.sleep(PAUSE * 2)

    def screenshot(self, path: Path) -> Path:
        self.driver.save_screenshot(str(path))
        return path

    # ------------------------------------------------------------------ hands

    def keys(self, *keys: str) -> None:
        ActionChains(self.driver).send_keys(*keys).perform()
        time.sleep(PAUSE)

    def chord(self, modifier: str, key: str) -> None:
        ActionChains(self.driver).key_down(modifier).send_keys(key).key_up(modifier).perform()
        time.sleep(PAUSE)

    def click(self, element: Any) -> None:
        self.driver.execute_script("arguments[0].scrollIntoView({block: 'center'})", element)
        ActionChains(self.driver).move_to_element(element).click().perform()
        time.sleep(PAUSE)

    def select(self, start: int, end: int) -> None:
        """Drag the mouse from the first character of [start, end) to its last, as a person selects."""
        first = self.driver.execute_script(_CHAR_BOX, start, TEXT_ROOT)
        last = self.driver.execute_script(_CHAR_BOX, end - 1, TEXT_ROOT)
        assert first and last, f"characters {start}..{end} are not on the page"
        drag = ActionBuilder(self.driver)
        drag.pointer_action.move_to_location(int(first[0] + first[2] * 0.25), int(first[1] + first[3] / 2))
        drag.pointer_action.pointer_down()
        drag.pointer_action.move_to_location(int(last[0] + last[2] * 0.75), int(last[1] + last[3] / 2))
        drag.pointer_action.pointer_up()
        drag.perform()
        time.sleep(PAUSE)

    # ------------------------------------------------------------------ the editor's parts

    def region(self, text: str) -> Any:
        """The innermost highlighted region showing exactly this text."""
        found = [e for e in self._all(REGION) if e.text == text]
        assert found, f"no region shows {text!r}; regions: {[e.text for e in self._all(REGION)]}"
        return found[-1]

    def regions(self) -> list[str]:
        return [e.text for e in self._all(REGION)]

    def label(self, key: str, start: int, end: int) -> None:
        """Press a label's hotkey, then select its text: the editor makes the region."""
        self.keys(key)
        self.select(start, end)

    def relate(self, source: str, target: str) -> None:
        """Select the source region, Alt+R, click the target region."""
        self.click(self.region(source))
        self.chord(Keys.ALT, "r")
        self.click(self.region(target))
        self.keys(Keys.ESCAPE)

    def label_relation(self, target_label: str, relation_label: str) -> None:
        """In the Relations panel, give the relation ending at a ``target_label`` region its label."""
        self.click(self._one("//div[contains(@class,'tabs')]//*[normalize-space()='Relations']"))
        item = next(i for i in self._all(".lsf-relations__item") if target_label in i.text.split())
        ActionChains(self.driver).move_to_element(item).perform()
        time.sleep(PAUSE)
        self.click(item.find_element(By.CSS_SELECTOR, "button[aria-label='Show Relation Labels']"))
        self.click([e for e in self._xpath("//*[normalize-space()='Select labels']") if e.is_displayed()][-1])
        options = [e for e in self._xpath(f"//*[normalize-space()='{relation_label}' and not(*)]") if e.is_displayed()]
        self.click(options[-1])
        self.keys(Keys.ESCAPE)

    def fill(self, field: str, value: str) -> None:
        """Type into a per-region text field of the selected region and press Enter."""
        box = self._one(f"//input[@name='{field}']")
        self.click(box)
        self.keys(value, Keys.ENTER)

    def choose(self, choice: str) -> None:
        self.click(self._one(f"//label[.//input[@name='{choice}']]"))

    def unselect(self) -> None:
        self.keys(Keys.ESCAPE)

    def delete_selected(self) -> None:
        self.keys(Keys.BACKSPACE)

    def submit(self) -> None:
        self.click(self._one("//button[normalize-space()='Submit']"))

    def _all(self, css: str) -> list[Any]:
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def _xpath(self, xpath: str) -> list[Any]:
        return self.driver.find_elements(By.XPATH, xpath)

    def _one(self, xpath: str) -> Any:
        return wait_for(xpath, lambda: self._xpath(xpath), timeout=10)[0]
