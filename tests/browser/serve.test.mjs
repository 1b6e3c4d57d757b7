// selecta serve in a real browser: Debian's Chromium driven by playwright-core, against the
// real server on the sample collection matched with its local catalogue. It reviews two
// matches, renames a cluster, rebuilds, and checks through the page and through `selecta sql`
// that the decisions took effect; then a build broken by a hand edit shows its failure while
// the previous warehouse stays served. Screenshots of every page at 1280 and 390 px go to
// out/screenshots/.
//
// Run: `make test-browser` (needs `apt-get install chromium` and `npm install` here).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, copyFileSync, writeFileSync, readFileSync, appendFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, dirname, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { createInterface } from "node:readline";
import { chromium } from "playwright-core";

const repo = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const bin = process.env.SELECTA_BIN || join(process.env.CARGO_TARGET_DIR || join(repo, "target"), "release/selecta");
const shots = join(repo, "out/screenshots");
const dir = mkdtempSync(join(tmpdir(), "selecta-browser-"));
const FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];

let server, base, context;

function selecta(...args) {
  return execFileSync(bin, ["--config", join(dir, "selecta.toml"), ...args], { cwd: dir, encoding: "utf8", env: { ...process.env, NO_COLOR: "1" } });
}

/// `selecta sql QUERY --format csv` → rows of fields (no quoting in what we ask for).
function sql(query) {
  return selecta("sql", query, "--format", "csv").trim().split("\n").slice(1).map((l) => l.split(","));
}

before(async () => {
  mkdirSync(join(dir, "data"));
  for (const f of ["collection.csv", "collection_tracks.csv", "exportify.csv", "catalogue.csv"]) copyFileSync(join(repo, "data/sample", f), join(dir, "data", f));
  writeFileSync(
    join(dir, "selecta.toml"),
    `warehouse = "out/w.duckdb"
[inputs]
releases = ["data/collection.csv"]
tracklists = ["data/collection_tracks.csv"]
features = ["data/exportify.csv"]
[match]
source = "catalogue"
catalogue = "data/catalogue.csv"
overrides = "decisions/overrides.csv"
[cluster]
k = 6
names = "decisions/names.toml"
`,
  );
  selecta("-q", "build");
  server = spawn(bin, ["--config", "selecta.toml", "serve", "--port", "0"], { cwd: dir, stdio: ["ignore", "pipe", "inherit"] });
  const first = await new Promise((ok, fail) => {
    createInterface({ input: server.stdout }).once("line", ok);
    server.once("exit", (c) => fail(new Error(`selecta serve exited with ${c}`)));
  });
  base = first.replace("selecta serve: ", "").trim().replace(/\/$/, "");
  assert.match(base, /^http:\/\/127\.0\.0\.1:\d+$/);
  mkdirSync(shots, { recursive: true });
  context = await chromium.launchPersistentContext(join(dir, "chromium-profile"), {
    executablePath: "/usr/bin/chromium",
    headless: true,
    args: FLAGS,
    viewport: { width: 1280, height: 900 },
  });
});

after(async () => {
  await context?.close();
  server?.kill();
  rmSync(dir, { recursive: true, force: true });
});

test("review, rename, rebuild; the decisions take effect", async () => {
  const page = context.pages()[0] || (await context.newPage());
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));

  // The review queue, worst first: ambiguous before low before none before high.
  await page.goto(`${base}/review`);
  const order = await page.locator("article.item .badge").first().textContent();
  assert.equal(order, "ambiguous");
  const queued = await page.locator("article.item").count();
  assert.ok(queued > 10, `${queued} tracks queued`);

  // Accept the best candidate of a low match (queued, not accepted by default).
  const low = page.locator("article.q-low").first();
  const accepted = await low.getAttribute("data-track");
  const radio = low.locator('ul.cands input[type="radio"]').first();
  const chosen = await radio.getAttribute("value");
  assert.match(chosen, /^[A-Za-z0-9]{22}$/);
  await radio.check();
  await low.getByRole("button", { name: "Save decision" }).click();
  await page.waitForURL(/\/review/);
  assert.match(await page.locator(".flash").textContent(), new RegExp(`Saved: track ${accepted.replace("#", "\\#")} → ${chosen}`));

  // Set an ambiguous one to "none".
  const amb = page.locator("article.q-ambiguous").first();
  const rejected = await amb.getAttribute("data-track");
  await amb.getByLabel("none of these (no match)").check();
  await amb.getByRole("button", { name: "Save decision" }).click();
  await page.waitForURL(/\/review/);
  assert.match(await page.locator(".flash").textContent(), /→ none/);
  const csv = readFileSync(join(dir, "decisions/overrides.csv"), "utf8");
  assert.equal(csv, `track_id,spotify_id\n${accepted},${chosen}\n${rejected},none\n`);

  // The review filter narrows by quality.
  await page.goto(`${base}/review`);
  await page.locator('select[name="quality"]').selectOption("low");
  await page.getByRole("button", { name: "Filter" }).click();
  const badges = await page.locator("article.item .badge:first-child").allTextContents();
  assert.ok(badges.length > 0 && badges.every((b) => b === "low"), badges.join(","));

  // Rename cluster 0 in place.
  await page.goto(`${base}/clusters`);
  const input = page.getByLabel("name of cluster 0");
  await input.fill("Late night test");
  await page.locator("#c0").getByRole("button", { name: "Rename" }).click();
  await page.waitForURL(/\/clusters/);
  assert.match(await page.locator(".flash").textContent(), /Cluster 0 is named “Late night test”/);

  // Rebuild: the page streams the build's lines and says when the new warehouse is in.
  await page.goto(`${base}/rebuild`);
  await page.getByRole("button", { name: "Rebuild now" }).click();
  await page.locator("#outcome.ok, #outcome.failed").waitFor({ timeout: 180_000 });
  assert.equal(await page.locator("#outcome").textContent(), "Rebuilt: the new warehouse is served.");
  const log = await page.locator("#log").textContent();
  assert.match(log, /OK    match /);
  assert.match(log, /Warehouse ready/);

  // Through the page: the name is served, both tracks left the queue, search shows the override.
  await page.goto(`${base}/clusters`);
  assert.equal(await page.getByLabel("name of cluster 0").inputValue(), "Late night test");
  await page.goto(`${base}/review`);
  assert.equal(await page.locator(`article[data-track="${accepted}"]`).count(), 0);
  assert.equal(await page.locator(`article[data-track="${rejected}"]`).count(), 0);
  await page.goto(`${base}/search?q=${encodeURIComponent(accepted.split("_")[0])}`);
  const row = page.locator("tr", { has: page.locator("code", { hasText: new RegExp(`^${accepted.replace("#", "\\#")}$`) }) });
  assert.match(await row.textContent(), /override/);

  // Through `selecta sql`: the warehouse took both overrides and the name.
  assert.deepEqual(sql(`SELECT coalesce(spotify_id, 'NULL'), quality FROM track_matches WHERE track_id = '${accepted}'`), [[chosen, "override"]]);
  assert.deepEqual(sql(`SELECT coalesce(spotify_id, 'NULL'), quality FROM track_matches WHERE track_id = '${rejected}'`), [["NULL", "override"]]);
  assert.deepEqual(sql(`SELECT count(*) FROM track_spotify_ids WHERE track_id = '${accepted}' AND spotify_id = '${chosen}'`), [["1"]]);
  assert.deepEqual(sql("SELECT name FROM clusters WHERE cluster = 0"), [["Late night test"]]);

  assert.deepEqual(errors, []);
});

test("a failed rebuild shows the failing step and keeps serving the previous warehouse", async () => {
  const page = context.pages()[0];
  // A hand edit naming no cluster: the cluster step fails, nothing is swapped in.
  appendFileSync(join(dir, "decisions/names.toml"), '"No such cluster" = "Broken"\n');
  await page.goto(`${base}/rebuild`);
  await page.getByRole("button", { name: "Rebuild now" }).click();
  await page.locator("#outcome.ok, #outcome.failed").waitFor({ timeout: 180_000 });
  assert.equal(await page.locator("#outcome").textContent(), "Rebuild failed: the previous warehouse is still served.");
  const failure = await page.locator("#failure").textContent();
  assert.match(failure, /ERROR cluster/);
  assert.match(failure, /No such cluster/);
  await page.goto(`${base}/clusters`);
  assert.equal(await page.getByLabel("name of cluster 0").inputValue(), "Late night test");
  assert.deepEqual(sql("SELECT name FROM clusters WHERE cluster = 0"), [["Late night test"]]);
  // Put the file back for the screenshots.
  writeFileSync(join(dir, "decisions/names.toml"), readFileSync(join(dir, "decisions/names.toml"), "utf8").replace('"No such cluster" = "Broken"\n', ""));
});

test("every page works at 1280 and 390 px wide", async () => {
  const page = context.pages()[0];
  for (const width of [1280, 390]) {
    await page.setViewportSize({ width, height: width > 400 ? 900 : 844 });
    for (const [name, path] of [["overview", "/"], ["clusters", "/clusters"], ["review", "/review"], ["search", "/search?q=nuit"], ["rebuild", "/rebuild"]]) {
      const resp = await page.goto(`${base}${path}`);
      assert.equal(resp.status(), 200, path);
      await page.locator("header nav").waitFor();
      assert.ok(await page.getByRole("link", { name: "Review" }).isVisible(), `${path} at ${width}: navigation visible`);
      // Nothing wider than the window: wide tables scroll inside their own box.
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 1, `${path} at ${width}px is ${overflow}px wider than the window`);
      await page.screenshot({ path: join(shots, `${name}-${width}.png`) });
    }
  }
});
