// Versions of everything the interop suites test with, printed at the start of a run.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export function npmVersion(name) {
  const p = path.join(HERE, 'node_modules', name, 'package.json');
  return JSON.parse(fs.readFileSync(p, 'utf8')).version;
}

/** The version of a crate as locked in rust-rp/Cargo.lock. */
export function crateVersion(name) {
  const lock = fs.readFileSync(path.join(HERE, 'rust-rp', 'Cargo.lock'), 'utf8');
  const m = new RegExp(`name = "${name}"\\nversion = "([^"]+)"`).exec(lock);
  return m ? m[1] : 'unknown';
}

export function chromiumVersion(executable = '/usr/bin/chromium') {
  try {
    return execFileSync(executable, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .trim()
      .split('\n')[0];
  } catch (e) {
    return `not runnable (${e.message})`;
  }
}

export function printVersions(lines) {
  console.log('---- versions under test ----');
  for (const l of lines) console.log(l);
  console.log('-----------------------------');
}
