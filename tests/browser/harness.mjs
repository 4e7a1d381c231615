/* What run.mjs and search.mjs share: how a check is reported (one JSON
 * line each, read by tests/browser.rs), how Chromium is started (Debian's
 * binary, no network of its own), and how an element's text is read. */

import { chromium } from 'playwright-core';

let passed = 0;
let failed = 0;

/** Prints one check's result. */
export function report(check, ok, detail = '') {
  if (ok) passed += 1;
  else failed += 1;
  console.log(JSON.stringify({ check, ok: !!ok, detail: String(detail) }));
}

/** Runs `fn` as the check `check`: passed with what it returns, failed
 * with the first lines of what it throws. */
export async function attempt(check, fn) {
  try {
    const detail = await fn();
    report(check, true, detail ?? '');
  } catch (error) {
    report(check, false, error && error.stack ? error.stack.split('\n').slice(0, 3).join(' | ') : error);
  }
}

/** Fails the current `attempt` with `message` unless `condition`. */
export function expect(condition, message) {
  if (!condition) throw new Error(message);
}

/** Prints the closing line and exits, 1 if any check failed. */
export function finish() {
  console.log(JSON.stringify({ done: true, passed, failed }));
  process.exit(failed ? 1 : 0);
}

/** Debian's Chromium, headless, with nothing that would reach the network. */
export function launch() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** An element's visible text, white space collapsed. */
export const text = (locator) => locator.innerText().then((t) => t.replace(/\s+/g, ' ').trim());
