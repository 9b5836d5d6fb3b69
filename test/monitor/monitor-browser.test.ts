/**
 * The web monitor in a real browser: Debian's headless Chromium driven by
 * playwright-core, against a processor on the in-memory broker. Skipped
 * (with the reason printed) only when /usr/bin/chromium is absent and
 * GOKAC_REQUIRE_BROWSER is not set; CI sets it.
 */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { describe, expect, it } from "vitest";
import { BIG, startMonitoredCounter } from "./fixture.js";

const CHROMIUM = process.env.GOKAC_CHROMIUM ?? "/usr/bin/chromium";
const available = existsSync(CHROMIUM);
if (!available && process.env.GOKAC_REQUIRE_BROWSER === undefined) {
  console.warn(
    `monitor browser test skipped: no Chromium at ${CHROMIUM} (apt-get install -y chromium; GOKAC_REQUIRE_BROWSER=1 makes this an error)`,
  );
}

describe.skipIf(!available && process.env.GOKAC_REQUIRE_BROWSER === undefined)("web monitor in Chromium", () => {
  it("shows every partition running, the counts, and reads a table key through the query box", async () => {
    const running = await startMonitoredCounter();
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ["--no-sandbox"] });
    try {
      await running.click([...Array.from({ length: 200 }, (_, i) => `user-${i % 37}`), "big"]);
      const page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
      const errors: string[] = [];
      page.on("pageerror", (e) => errors.push(e.message));
      await page.goto(running.monitor.url + "/");
      await expect.poll(() => page.locator('.partition[data-state="running"]').count(), { timeout: 10_000 }).toBe(4);
      expect(await page.locator("#overall").textContent()).toBe("ready");
      expect(await page.locator('section.group[data-group="counter"] h2').textContent()).toBe("counter");

      // The query box: a present key, the int64 above 2^53, an absent key.
      expect(await page.locator("#query-table").inputValue()).toBe("counter-table");
      const query = async (key: string) => {
        await page.fill("#query-key", key);
        await page.click("#query-submit");
        await expect.poll(() => page.locator("#query-status").textContent()).toMatch(new RegExp(`· counter-table / ${key}$`));
        return page.locator("#query-result").textContent();
      };
      expect(await query("user-3")).toBe(String([...Array(200).keys()].filter((i) => i % 37 === 3).length));
      expect(await query("big")).toBe(BIG.toString());
      expect(await query("nobody")).toBe("null");
      expect(errors).toEqual([]);

      if (process.env.GOKAC_MONITOR_SCREENSHOT !== undefined) {
        await page.fill("#query-key", "big");
        await page.click("#query-submit");
        await page.waitForTimeout(1500);
        await page.screenshot({ path: fileURLToPath(new URL("../../docs/monitor.png", import.meta.url)), fullPage: true });
      }
    } finally {
      await browser.close();
      await running.close();
    }
  }, 60_000);
});
