// Drives one test dashboard (tests/browser/*.html) in headless Chromium for the pytest browser
// tests: Debian's /usr/bin/chromium through playwright-core; no browser is ever downloaded.
//
//   node tests/browser/driver.mjs <page.html> [name=value ...] [--timeout=SECONDS]
//
// Serves tests/browser/ and the npm bundles (/node_modules/...) from a static server on
// 127.0.0.1, opens the page with the name=value pairs as its query string, prints "READY" once
// the page's status says "subscribed", then reads commands from stdin, one per line, and
// answers each with one line:
//   expect <text>           "SEEN <text>" once a listed message contains <text>, else
//                           "MISSING <text>" after 10 s, with the page's list on stderr
//   absent <text>           "ABSENT <text>" if no listed message contains <text> now, else
//                           "PRESENT <text>"
//   send <dest> <body...>   "SENT" once the page's client has sent it
//   frames                  "FRAMES text=<n> binary=<n>": WebSocket messages received so far
//   quit                    exits 0
// Anything wrong prints "ERROR <reason>" and exits 1. The driver gives up by itself after
// --timeout seconds (default 60), so a test never waits on it forever.

import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import readline from 'node:readline';
import { fileURLToPath } from 'node:url';

import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const repoRoot = path.resolve(here, '..', '..');
const chromiumPath = process.env.SY_CHROMIUM || '/usr/bin/chromium';
const expectTimeoutMs = 10000;

// These flags matter on the test machines: no sandbox (root, containers), no GPU, no QUIC and
// none of Chromium's own network chatter (component updates, sync, first-run pings).
const chromiumArgs = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const contentTypes = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.map': 'application/json',
};

function say(line) {
  process.stdout.write(`${line}\n`);
}

// Maps a request path to a file under tests/browser/ or node_modules/, or null.
function fileFor(urlPath) {
  const decoded = decodeURIComponent(urlPath.split('?')[0]);
  const [root, rest] = decoded.startsWith('/node_modules/')
    ? [path.join(repoRoot, 'node_modules'), decoded.slice('/node_modules/'.length)]
    : [here, decoded.slice(1)];
  const file = path.resolve(root, rest);
  return file.startsWith(root + path.sep) ? file : null;
}

function startStaticServer() {
  const server = http.createServer((req, res) => {
    const file = fileFor(req.url);
    if (!file || !fs.existsSync(file) || !fs.statSync(file).isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200, {
      'Content-Type': contentTypes[path.extname(file)] || 'application/octet-stream',
      'Cache-Control': 'no-store',
    });
    fs.createReadStream(file).pipe(res);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve(server));
  });
}

function parseArgs(argv) {
  const [page, ...rest] = argv;
  if (!page) throw new Error('usage: driver.mjs <page.html> [name=value ...] [--timeout=S]');
  const query = new URLSearchParams();
  let timeoutS = 60;
  for (const arg of rest) {
    if (arg.startsWith('--timeout=')) {
      timeoutS = Number(arg.slice('--timeout='.length));
    } else {
      const eq = arg.indexOf('=');
      if (eq <= 0) throw new Error(`bad page parameter '${arg}' (expected name=value)`);
      query.set(arg.slice(0, eq), arg.slice(eq + 1));
    }
  }
  return { page, query, timeoutS };
}

async function waitSubscribed(page) {
  const handle = await page.waitForFunction(() => {
    const status = document.getElementById('status').textContent;
    return status === 'subscribed' || status.startsWith('error') || status.startsWith('closed')
      ? status : false;
  }, null, { timeout: 20000 });
  const status = await handle.jsonValue();
  if (status !== 'subscribed') throw new Error(`page did not subscribe: ${status}`);
}

async function listed(page) {
  return page.$$eval('#messages li', (items) => items.map((li) => li.textContent));
}

async function expectText(page, text) {
  try {
    await page.waitForFunction(
      (wanted) => [...document.querySelectorAll('#messages li')]
        .some((li) => li.textContent.includes(wanted)),
      text, { timeout: expectTimeoutMs });
    say(`SEEN ${text}`);
  } catch {
    const status = await page.textContent('#status');
    process.stderr.write(`status: ${status}\nlisted: ${JSON.stringify(await listed(page))}\n`);
    say(`MISSING ${text}`);
  }
}

// WebSocket messages the page received, by frame type, as Chromium's devtools report them.
const received = { text: 0, binary: 0 };

function countFrames(page) {
  page.on('websocket', (ws) => {
    ws.on('framereceived', ({ payload }) => {
      if (typeof payload === 'string') {
        received.text += 1;
      } else {
        received.binary += 1;
      }
    });
  });
}

async function runCommands(page) {
  const lines = readline.createInterface({ input: process.stdin, terminal: false });
  for await (const line of lines) {
    const [command, ...words] = line.trim().split(' ');
    if (command === 'expect') {
      await expectText(page, words.join(' '));
    } else if (command === 'absent') {
      const text = words.join(' ');
      const present = (await listed(page)).some((item) => item.includes(text));
      say(`${present ? 'PRESENT' : 'ABSENT'} ${text}`);
    } else if (command === 'send') {
      const [dest, ...body] = words;
      await page.evaluate(([d, b]) => window.dashboard.send(d, b), [dest, body.join(' ')]);
      say('SENT');
    } else if (command === 'frames') {
      say(`FRAMES text=${received.text} binary=${received.binary}`);
    } else if (command === 'quit') {
      return;
    } else if (command) {
      throw new Error(`unknown command '${command}'`);
    }
  }
}

async function main() {
  const { page: pageName, query, timeoutS } = parseArgs(process.argv.slice(2));
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sy-chromium-'));
  let server = null;
  let context = null;
  const cleanup = async () => {
    if (context) await context.close().catch(() => {});
    if (server) server.close();
    fs.rmSync(userDataDir, { recursive: true, force: true });
  };
  const deadline = setTimeout(async () => {
    say(`ERROR driver timeout after ${timeoutS} s`);
    await cleanup();
    process.exit(1);
  }, timeoutS * 1000);
  try {
    server = await startStaticServer();
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: chromiumPath,
      headless: true,
      args: chromiumArgs,
    });
    const page = context.pages()[0] || await context.newPage();
    page.on('console', (msg) => process.stderr.write(`console.${msg.type()}: ${msg.text()}\n`));
    countFrames(page);
    page.on('pageerror', (err) => process.stderr.write(`page error: ${err.message}\n`));
    const { port } = server.address();
    await page.goto(`http://127.0.0.1:${port}/${pageName}?${query}`);
    await waitSubscribed(page);
    say('READY');
    await runCommands(page);
    clearTimeout(deadline);
    await cleanup();
    // stdin may still be open (the test keeps its end): do not wait for it.
    process.exit(0);
  } catch (err) {
    clearTimeout(deadline);
    say(`ERROR ${err.message.split('\n')[0]}`);
    process.stderr.write(`${err.stack}\n`);
    await cleanup();
    process.exit(1);
  }
}

main();
