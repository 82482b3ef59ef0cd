// Shared helpers for the browser end-to-end tests: start `ice-studio serve`
// with a throw-away data folder, a fake Ollama, and Debian's Chromium.
import { spawn } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, '..', '..');
export const binary = process.env.ICE_BIN ?? join(repoRoot, 'build', 'bin', 'ice-studio');
export const artifacts = join(repoRoot, 'build', 'test-artifacts');

/** tempDir makes a fresh directory that is removed when the test ends. */
export function tempDir(t, prefix) {
  const d = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

/** makeProject writes files (path → content) under a new temp folder. */
export function makeProject(t, files) {
  const root = tempDir(t, 'ice-e2e-project-');
  for (const [p, body] of Object.entries(files)) {
    const full = join(root, p);
    mkdirSync(dirname(full), { recursive: true });
    writeFileSync(full, body);
  }
  return root;
}

/** fakeOllama answers /api/version like a real Ollama server. */
export async function fakeOllama(t, version) {
  const srv = createServer((req, res) => {
    if (req.url === '/api/version') {
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ version }));
      return;
    }
    res.statusCode = 404;
    res.end('{"error":"not found"}');
  });
  await new Promise((ok) => srv.listen(0, '127.0.0.1', ok));
  t.after(() => srv.close());
  return `http://127.0.0.1:${srv.address().port}`;
}

/** summaryText is the fake's answer to a compaction step (whose system prompt starts "You summarise"). */
export const summaryText = 'The user asked for work on the project; the agent read files and is going on.';

/**
 * promptTokens counts a chat request's prompt as the Go fake does: the
 * request rendered with the tiny model's template, 4 bytes a token, and BOS.
 */
function promptTokens(req) {
  let text = '';
  if (req.tools?.length) text += '<|tools|>\n' + req.tools.map((t) => JSON.stringify(t) + '\n').join('');
  for (const m of req.messages ?? []) {
    text += `<|${m.role}|>\n${m.content ?? ''}`;
    for (const c of m.tool_calls ?? []) text += JSON.stringify({ name: c.function?.name, arguments: c.function?.arguments ?? {} });
    text += '\n';
  }
  text += '<|assistant|>\n';
  return Math.ceil(Buffer.byteLength(text) / 4) + 1;
}

/**
 * asideReply answers the Studio's own runtime steps apart from the script,
 * as the Go fake does: a calibration (no tools, num_predict 1) gets one
 * token, a compaction the summary.
 */
function asideReply(req) {
  if (req.tools?.length) return null;
  if (req.options?.num_predict === 1) return { chunks: ['ok'], doneReason: 'length' };
  const first = req.messages?.[0];
  if (first?.role === 'system' && first.content.startsWith('You summarise')) return { chunks: [summaryText] };
  return null;
}

/**
 * scriptedOllama is a fake Ollama that answers chat requests from a queue,
 * streamed as NDJSON the way Ollama does: replies are { chunks?: string[],
 * thinking?: string, calls?: [{ name, args }], delayMs?: number, hold?:
 * Promise } (a held reply waits for the promise before its chunks; with the
 * queue empty the answer is "Done."). It serves one tool-capable model,
 * tiny:latest, and keeps every chat request body it received (requests;
 * the runtime's calibration and summary steps, answered apart from the
 * script, in asides). stop() makes it stop answering (connections are
 * refused, open ones are cut, as when Ollama quits) and start() brings it
 * back on the same port; received(n) waits for the n-th chat request.
 * Each answer reports 10 prompt tokens, or with countPrompts the prompt's
 * tokens counted as the Go fake does (the runtime takes a low count for a
 * request the server cut).
 */
export async function scriptedOllama(t, replies = [], { countPrompts = false, extraModels = [] } = {}) {
  // extraModels: more tool-capable chat models it serves beside tiny:latest (e.g. ['other:latest']).
  const model = 'tiny:latest';
  const queue = [...replies];
  const requests = [];
  const asides = [];
  const waiters = [];
  const json = (res, status, body) => {
    res.statusCode = status;
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify(body));
  };
  const readBody = (req) =>
    new Promise((ok) => {
      let b = '';
      req.on('data', (d) => (b += d));
      req.on('end', () => ok(b));
    });
  const served = [model, ...extraModels];
  const known = (name) => served.some((m) => name === m || `${name}:latest` === m);
  const srv = createServer(async (req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    if (path === '/api/version') return json(res, 200, { version: '0.9.0-scripted' });
    if (path === '/api/tags') {
      return json(res, 200, {
        models: served.map((name) => ({
          name,
          model: name,
          digest: 'c0ffee00d15ea5e0123456789abcdef0123456789abcdef0123456789abcdef',
          size: 1 << 20,
          modified_at: '2026-01-02T03:04:05Z',
          details: { format: 'gguf', family: 'llama', parameter_size: '1M', quantization_level: 'F32' },
        })),
      });
    }
    const body = await readBody(req);
    let parsed = {};
    try {
      parsed = JSON.parse(body || '{}');
    } catch {
      return json(res, 400, { error: 'bad json' });
    }
    if (path === '/api/show') {
      if (!known(parsed.model ?? parsed.name)) return json(res, 404, { error: `model '${parsed.model}' not found` });
      return json(res, 200, {
        capabilities: ['completion', 'tools'],
        details: { format: 'gguf', family: 'llama', parameter_size: '1M', quantization_level: 'F32' },
        model_info: { 'llama.context_length': 4096 },
      });
    }
    if (path !== '/api/chat') return json(res, 404, { error: 'not found' });
    if (!known(parsed.model)) return json(res, 404, { error: `model '${parsed.model}' not found, try pulling it first` });
    let reply = asideReply(parsed);
    if (reply) asides.push(parsed);
    else {
      requests.push(parsed);
      for (const w of waiters.filter((w) => requests.length >= w.n)) {
        waiters.splice(waiters.indexOf(w), 1);
        w.ok(parsed);
      }
      reply = queue.shift() ?? { chunks: ['Done.'] };
    }
    if (reply.hold) await reply.hold;
    if (res.destroyed) return;
    res.statusCode = 200;
    res.setHeader('Content-Type', 'application/x-ndjson');
    const line = (o) => res.destroyed || res.write(JSON.stringify({ model, created_at: new Date().toISOString(), ...o }) + '\n');
    const pause = () => new Promise((ok) => setTimeout(ok, reply.delayMs ?? 0));
    if (reply.thinking) line({ message: { role: 'assistant', content: '', thinking: reply.thinking }, done: false });
    for (const c of reply.chunks ?? []) {
      await pause();
      line({ message: { role: 'assistant', content: c }, done: false });
    }
    if (reply.calls?.length) {
      const tool_calls = reply.calls.map((c, index) => ({ function: { index, name: c.name, arguments: c.args } }));
      line({ message: { role: 'assistant', content: '', tool_calls }, done: false });
    }
    const evalCount = (reply.chunks?.length ?? 0) + (reply.calls?.length ?? 0);
    line({
      message: { role: 'assistant', content: '' },
      done: true,
      done_reason: reply.doneReason ?? 'stop',
      prompt_eval_count: reply.prompt ?? (countPrompts ? promptTokens(parsed) : 10),
      eval_count: evalCount,
      total_duration: 2_000_000,
      eval_duration: 1_000_000,
    });
    res.end();
  });
  await new Promise((ok) => srv.listen(0, '127.0.0.1', ok));
  const port = srv.address().port;
  t.after(() => {
    srv.closeAllConnections();
    srv.close();
  });
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    asides,
    model,
    /** received resolves with the n-th chat request of the script (1-based), once it came. */
    received: (n) => (requests.length >= n ? Promise.resolve(requests[n - 1]) : new Promise((ok) => waiters.push({ n, ok }))),
    /** stop: connections are refused, and the open ones cut. */
    stop: () =>
      new Promise((ok) => {
        srv.close(() => ok());
        srv.closeAllConnections();
      }),
    /** start answers again, on the same port. */
    start: () => new Promise((ok, fail) => srv.listen(port, '127.0.0.1', ok).once('error', fail)),
  };
}

/** startServe runs `ice-studio serve` and resolves once it printed its URL. */
export async function startServe(t, { args = [], env = {} } = {}) {
  const home = tempDir(t, 'ice-e2e-home-');
  const child = spawn(binary, ['serve', '--addr', '127.0.0.1:0', ...args], {
    env: { ...process.env, ICE_HOME: home, OLLAMA_HOST: 'http://127.0.0.1:9', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  t.after(() => child.kill('SIGTERM'));
  const url = await new Promise((ok, fail) => {
    let out = '';
    const timer = setTimeout(() => fail(new Error(`serve printed no URL in 20s; stderr:\n${stderr}`)), 20_000);
    child.stdout.on('data', (d) => {
      out += d;
      const m = /serving on (http:\/\/\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        ok(m[1]);
      }
    });
    child.on('exit', (code) => fail(new Error(`serve exited with ${code}; stderr:\n${stderr}`)));
  });
  const u = new URL(url);
  return { url, origin: u.origin, token: u.searchParams.get('token'), home, stderr: () => stderr, child };
}

/** launchBrowser starts headless Debian Chromium through playwright-core. */
export async function launchBrowser(t) {
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
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
  t.after(() => browser.close());
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  const problems = [];
  page.on('pageerror', (e) => problems.push(String(e)));
  return { browser, page, problems };
}

/** waitForStderr waits (up to 5 s) until the server's stderr matches re:
 * stdout and stderr are separate pipes, so stderr may arrive after the URL. */
export async function waitForStderr(s, re) {
  for (let i = 0; i < 50 && !re.test(s.stderr()); i++) await new Promise((r) => setTimeout(r, 100));
  return s.stderr();
}

/**
 * approveWrites answers every approval card of the open run with choice
 * (a replace run asks before each file write) until the run settles.
 */
export async function approveWrites(page, choice = 'Allow for this run') {
  const view = page.getByRole('article', { name: 'Run' });
  const settled = view.locator('.run-title .run-badge:is([data-status="validated"],[data-status="validation_failed"],[data-status="aborted"],[data-status="committed"])');
  const card = view.getByRole('region', { name: 'Approval needed' }).first();
  let answered = 0;
  for (let i = 0; i < 20; i++) {
    await card.or(settled).first().waitFor();
    if (await settled.isVisible()) return answered;
    const id = await card.getAttribute('data-ask');
    await card.getByRole('button', { name: choice, exact: true }).click();
    await view.locator(`[data-ask="${id}"]`).waitFor({ state: 'detached' });
    answered++;
  }
  throw new Error('the run kept asking');
}

/** showRuns opens the Runs tab of the right pane (the Chat tab is the one shown first). */
export async function showRuns(page) {
  await page.getByRole('tablist', { name: 'Right pane' }).getByRole('tab', { name: 'Runs', exact: true }).click();
}

/**
 * openProject starts `serve` (with env added to its environment), opens
 * project through the welcome screen's path field and waits until the
 * explorer lists the file matching shown.
 */
export async function openProject(t, project, shown = /a\.txt/, env = {}) {
  const s = await startServe(t, { env });
  const { page, problems } = await launchBrowser(t);
  await page.goto(s.url);
  await page.getByLabel(/type its path/).fill(project);
  await page.getByRole('button', { name: 'Open', exact: true }).click();
  const tree = page.getByRole('tree', { name: 'Files' });
  await tree.getByRole('treeitem', { name: shown }).waitFor();
  return { s, page, problems, tree };
}

/**
 * modelsOllama is a fake Ollama for the Models screen: a chat model
 * (tiny:latest, 4 GiB, loaded now per /api/ps) and an embedding model
 * (nomic-embed-text:latest), with /api/show's model_info (context length
 * and the shape that gives the KV cache's size) and /api/embed.
 */
export async function modelsOllama(t) {
  const gib = 1024 ** 3;
  const models = {
    'tiny:latest': {
      size: 4 * gib,
      details: { format: 'gguf', family: 'llama', parameter_size: '8.0B', quantization_level: 'Q4_K_M' },
      capabilities: ['completion', 'tools'],
      info: { 'llama.context_length': 131072, 'llama.block_count': 32, 'llama.embedding_length': 4096, 'llama.attention.head_count': 32, 'llama.attention.head_count_kv': 8 },
    },
    'nomic-embed-text:latest': {
      size: 274 * 1024 ** 2,
      details: { format: 'gguf', family: 'nomic-bert', parameter_size: '137M', quantization_level: 'F16' },
      capabilities: ['embedding'],
      info: { 'nomic-bert.context_length': 2048 },
    },
  };
  const find = (name) => models[name] ?? models[`${name}:latest`];
  const json = (res, body, status = 200) => {
    res.statusCode = status;
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify(body));
  };
  const srv = createServer((req, res) => {
    const path = new URL(req.url, 'http://x').pathname;
    let body = '';
    req.on('data', (d) => (body += d));
    req.on('end', () => {
      const parsed = body ? JSON.parse(body) : {};
      if (path === '/api/version') return json(res, { version: '0.9.0-models' });
      if (path === '/api/tags')
        return json(res, {
          models: Object.entries(models).map(([name, m]) => ({ name, model: name, size: m.size, digest: `d-${name}`, modified_at: '2026-01-02T03:04:05Z', details: m.details })),
        });
      if (path === '/api/ps') {
        const expires = new Date(Date.now() + 4 * 60 * 1000).toISOString();
        return json(res, { models: [{ name: 'tiny:latest', model: 'tiny:latest', size: 5 * gib, size_vram: 0, expires_at: expires, context_length: 8192, details: models['tiny:latest'].details }] });
      }
      if (path === '/api/show') {
        const m = find(parsed.model ?? parsed.name);
        if (!m) return json(res, { error: `model '${parsed.model}' not found` }, 404);
        return json(res, { capabilities: m.capabilities, details: m.details, model_info: m.info });
      }
      if (path === '/api/embed') {
        const input = Array.isArray(parsed.input) ? parsed.input : [parsed.input];
        return json(res, { model: parsed.model, embeddings: input.map((_, i) => [1, i + 1, 0.5]) });
      }
      json(res, { error: 'not found' }, 404);
    });
  });
  await new Promise((ok) => srv.listen(0, '127.0.0.1', ok));
  t.after(() => {
    srv.closeAllConnections();
    srv.close();
  });
  return `http://127.0.0.1:${srv.address().port}`;
}
