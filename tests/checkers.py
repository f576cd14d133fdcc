"""The page checkers of the browser tests: axe-core (accessibility, WCAG 2.x A and AA and
best practice) run inside each page, the Nu HTML Checker (markup) run once over the pages'
HTML as the server sent it, and the browser console, where script errors and
Content-Security-Policy violations show.

npm installs both checkers into node_modules at the versions package-lock.json pins
(``bin/setup``); the Nu checker runs on the machine's Java.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from playwright.sync_api import BrowserContext, ConsoleMessage, Page, Response

ROOT = Path(__file__).resolve().parents[1]
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
VNU = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

#: axe-core's tags of the rules that run: WCAG 2.0, 2.1 and 2.2 at levels A and AA, and
#: axe's best practices.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"]

#: axe loads only the media it needs before it runs (the autoplay rule's), not the page's
#: stylesheets: it reads those again into <style> elements of its own, which a strict
#: Content-Security-Policy refuses when a stylesheet has an @import (as Django admin's
#: forms.css does), and only the experimental orientation-lock rule, not run, reads them.
_AXE_RUN = """async (tags) => {
  const results = await axe.run(document, {runOnly: {type: "tag", values: tags}, preload: {assets: ["media"]}});
  return results.violations.map((rule) => ({
    id: rule.id,
    help: rule.help,
    targets: rule.nodes.map((node) => node.target.join(" ")),
  }));
}"""


#: Text in another language than the element it stands in says (WCAG 3.1.2, language of
#: parts): Japanese script under lang="en"; a phrase of three English words or more
#: under lang="ja" (a single word or abbreviation, such as PDF, is part of Japanese).
#: A form field's text (a <textarea>) is one value that can hold no marked parts: it is
#: marked with one of the languages it is written in.
_LANGUAGE_OF_PARTS = r"""() => {
  const japanese = /[\u3001-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uff00-\uffef]/;
  const english = /[A-Za-z][A-Za-z'\u2019-]*(?:[ ,]+[A-Za-z][A-Za-z'\u2019-]*){2,}/;
  const written = {ja: japanese, en: english};
  const found = [];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const text = walker.currentNode.data.trim();
    const parent = walker.currentNode.parentElement;
    if (!text || !parent || parent.closest("script, style, template")) continue;
    const marked = parent.closest("[lang]");
    const lang = marked ? marked.getAttribute("lang").split("-")[0] : "";
    const field = parent.localName === "textarea";
    if (field && written[lang] && written[lang].test(text)) continue;
    if ((lang === "en" && japanese.test(text)) || (lang === "ja" && english.test(text))) {
      const classes = parent.getAttribute("class");  // an SVG element's className is no string
      found.push(`<${parent.localName}${classes ? "." + classes.split(" ").join(".") : ""}> "${text.slice(0, 60)}" is under lang="${lang}"`);
    }
  }
  return found;
}"""


def missing_tools() -> str | None:
    """What the checkers need and this machine lacks, or None."""
    if not AXE.exists() or not VNU.exists():
        return "the page checkers are not installed: run bin/setup (npm ci)"
    if shutil.which("java") is None:
        return "no Java runtime for the Nu HTML Checker"
    return None


@dataclass
class Checked:
    """The findings of one page."""

    name: str
    url: str
    findings: list[str] = field(default_factory=list)


class PageChecker:
    """Checks the pages a test opens in its browser contexts and keeps every finding.

    ``watch`` a context before opening its pages: it loads axe-core into each document
    (as an init script, which the page's Content-Security-Policy does not block) and
    listens to the console and to the documents the server sends. ``check`` runs axe on
    the page as it is now and keeps its HTML, as the server sent it, in ``folder`` (numbered
    in the order checked) for the Nu checker; ``markup`` runs that checker once over them.
    """

    def __init__(self, folder: Path) -> None:
        self.pages: list[Checked] = []
        self._folder = folder
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        self._documents: dict[int, Response] = {}
        self._console: dict[int, list[str]] = {}
        self._statuses: dict[int, set[int]] = {}

    def watch(self, context: BrowserContext) -> None:
        context.add_init_script(path=str(AXE))
        context.on("page", self._listen)
        for page in context.pages:
            self._listen(page)

    def _listen(self, page: Page) -> None:
        key = id(page)
        self._console[key] = []

        def on_console(message: ConsoleMessage) -> None:
            if message.type in {"error", "warning"}:
                where = message.location.get("url", "")
                self._console[key].append(f"console {message.type}: {message.text} ({where})")

        def on_response(response: Response) -> None:
            if response.request.is_navigation_request() and response.frame == page.main_frame:
                self._documents[key] = response

        page.on("console", on_console)
        page.on("pageerror", lambda error: self._console[key].append(f"script error: {error}"))
        page.on("response", on_response)

    def check(self, page: Page, name: str, *, status: int = 200) -> None:
        """Check the page shown now: its document answered ``status``; axe finds nothing;
        nothing was written to the console since the last check of this page."""
        key = id(page)
        # A click that navigates returns once the new document is committed, not loaded:
        # check the page the reader gets, fully loaded.
        page.wait_for_load_state("load")
        checked = Checked(name, page.url)
        document = self._documents.pop(key, None)
        if document is None or document.url != page.url:
            checked.findings.append("no new document was loaded")
            self.pages.append(checked)
            return
        if document.status != status:
            checked.findings.append(f"status {document.status}, expected {status}")
        # axe runs first: the console messages of the page's loading have arrived by its end.
        for rule in page.evaluate(_AXE_RUN, AXE_TAGS):
            for target in rule["targets"]:
                checked.findings.append(f"axe {rule['id']}: {target}: {rule['help']}")
        for text in page.evaluate(_LANGUAGE_OF_PARTS):
            checked.findings.append(f"language of parts: {text}")
        for line in self._console[key]:
            # An error page's own status is reported on the console as a failed load.
            if f"status of {status} " in line and f"({page.url})" in line:
                continue
            checked.findings.append(line)
        self._console[key].clear()
        (self._folder / f"{len(self.pages):03d}.html").write_bytes(document.body())
        self.pages.append(checked)

    def findings(self) -> list[str]:
        return [f"{page.name} ({page.url}): {finding}" for page in self.pages for finding in page.findings]

    def markup(self) -> list[str]:
        """Every error of the Nu HTML Checker over the kept pages, in one run."""
        files = sorted(self._folder.glob("*.html"))
        if not files:
            return []
        run = subprocess.run(
            ["java", "-jar", str(VNU), "--errors-only", "--format", "json", *map(str, files)],
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        report: dict[str, Any] = json.loads(run.stderr or run.stdout)
        found = []
        for message in report["messages"]:
            index = int(Path(message.get("url", "")).stem or -1)
            page = self.pages[index] if 0 <= index < len(self.pages) else None
            where = f"{page.name} ({page.url})" if page else message.get("url", "?")
            line = message.get("lastLine", "?")
            extract = " ".join(message.get("extract", "").split())
            found.append(f"{where} line {line}: {message['message']} [{extract}]")
        return found
