// Starts the real `sesame` binary as a child process: its own SQLite file in a fresh
// temporary folder, its own port, SMTP pointed at a real listener. Clients are registered
// with the real CLI (`sesame clients add --json`), exactly as an operator would.

import { execFile, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';

const run = promisify(execFile);

export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const READY_TIMEOUT_MS = 60_000;

let builtBinary;

/**
 * The sesame binary: $SESAME_BIN when set (run.sh builds it first), otherwise
 * target/debug/sesame after `cargo build --bin sesame` (a no-op when it is fresh).
 */
export function sesameBinary() {
  if (process.env.SESAME_BIN) return process.env.SESAME_BIN;
  if (builtBinary) return builtBinary;
  const r = spawnSync('cargo', ['build', '--quiet', '--bin', 'sesame'], {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`cargo build --bin sesame failed (exit ${r.status})`);
  builtBinary = path.join(REPO_ROOT, 'target', 'debug', 'sesame');
  return builtBinary;
}

/** A port that was free a moment ago on 127.0.0.1. */
export async function freePort() {
  return await new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export class Sesame {
  /**
   * @param {{mailbox: import('./mailbox.mjs').Mailbox, env?: Record<string,string>, label?: string}} opts
   */
  static async start({ mailbox, env = {}, label = 'sesame' }) {
    const bin = sesameBinary();
    let lastError;
    // The port is chosen before the child binds it; retry if another process took it.
    for (let attempt = 0; attempt < 3; attempt++) {
      const s = new Sesame(bin, mailbox, env, label, await freePort());
      try {
        await s.#spawnAndWait();
        return s;
      } catch (e) {
        lastError = e;
        await s.stop();
        if (!/address already in use|Address in use/i.test(s.log())) break;
      }
    }
    throw lastError;
  }

  constructor(bin, mailbox, extraEnv, label, port) {
    this.bin = bin;
    this.label = label;
    this.port = port;
    this.issuer = `http://127.0.0.1:${port}`;
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `sesame-interop-${label}-`));
    this.logPath = path.join(this.dir, 'sesame.log');
    const clean = Object.fromEntries(
      Object.entries(process.env).filter(([k]) => !k.startsWith('SESAME_') && k !== 'RUST_LOG'),
    );
    this.env = {
      ...clean,
      SESAME_MODE: 'development',
      SESAME_DATABASE_URL: `sqlite://${path.join(this.dir, 'sesame.db')}`,
      SESAME_ISSUER: this.issuer,
      SESAME_LISTEN: `127.0.0.1:${port}`,
      SESAME_SMTP_URL: mailbox.smtpUrl,
      SESAME_SECRET_KEY: randomBytes(32).toString('hex'),
      SESAME_LOG_FORMAT: 'pretty',
      SESAME_LOG_LEVEL: 'info',
      ...extraEnv,
    };
  }

  async #spawnAndWait() {
    const log = fs.openSync(this.logPath, 'a');
    // cwd is the temporary folder, so no config/sesame.toml of the repository is picked up.
    this.child = spawn(this.bin, ['serve'], {
      cwd: this.dir,
      env: this.env,
      stdio: ['ignore', log, log],
    });
    fs.closeSync(log);
    this.exited = new Promise((resolve) => this.child.once('exit', (code, sig) => resolve({ code, sig })));
    let exit;
    this.exited.then((e) => (exit = e));
    const deadline = Date.now() + READY_TIMEOUT_MS;
    while (Date.now() < deadline) {
      if (exit) {
        throw new Error(`sesame exited early (${JSON.stringify(exit)}):\n${this.log()}`);
      }
      try {
        const res = await fetch(`${this.issuer}/.well-known/openid-configuration`);
        if (res.ok) {
          this.discovery = await res.json();
          return;
        }
      } catch {
        // not listening yet
      }
      await sleep(100);
    }
    throw new Error(`sesame did not answer discovery within ${READY_TIMEOUT_MS} ms:\n${this.log()}`);
  }

  /** The server's log so far (for failure messages). */
  log() {
    try {
      return fs.readFileSync(this.logPath, 'utf8');
    } catch {
      return '';
    }
  }

  /** Runs a CLI subcommand against this server's database and configuration. */
  async cli(args) {
    try {
      const { stdout } = await run(this.bin, args, { cwd: this.dir, env: this.env });
      return stdout;
    } catch (e) {
      throw new Error(`sesame ${args.join(' ')} failed: ${e.stderr || e.message}`);
    }
  }

  /** Registers a client with `sesame clients add --json`; returns {client_id, client_secret?}. */
  async addClient({ name, redirectUris, isPublic = false }) {
    const args = ['clients', 'add', '--name', name, '--json'];
    for (const u of redirectUris) args.push('--redirect-uri', u);
    if (isPublic) args.push('--public');
    return JSON.parse(await this.cli(args));
  }

  url(p) {
    return `${this.issuer}${p}`;
  }

  /** SIGTERM (graceful shutdown), then SIGKILL if it hangs. Removes the temporary folder. */
  async stop() {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) {
      this.child.kill('SIGTERM');
      const t = setTimeout(() => this.child.kill('SIGKILL'), 10_000);
      await this.exited;
      clearTimeout(t);
    }
    // Keep the server's log as a CI artefact: target/interop-logs/<label>-<port>.log
    try {
      const logs = path.join(REPO_ROOT, 'target', 'interop-logs');
      fs.mkdirSync(logs, { recursive: true });
      fs.copyFileSync(this.logPath, path.join(logs, `${this.label}-${this.port}.log`));
    } catch {
      // no log written (the child never started)
    }
    if (process.env.SESAME_INTEROP_KEEP_TMP !== '1') {
      fs.rmSync(this.dir, { recursive: true, force: true });
    }
  }
}
