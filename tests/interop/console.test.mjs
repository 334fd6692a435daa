// The admin console in a real browser (Debian's Chromium, headless, playwright-core): an
// admin signs in with the code from the real email, registers a client through the console
// (with the branded preview), and that client then completes a sign-in with an independent
// relying party (openid-client). axe-core checks every console page, light and dark, at
// desktop and phone size. Screenshots go to target/browser-screenshots/console-*.png.
// Run: tests/interop/run.sh console.test.mjs

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import * as oidc from 'openid-client';
import { chromium } from 'playwright-core';

import { Mailbox } from './lib/mailbox.mjs';
import { Person } from './lib/person.mjs';
import { REPO_ROOT, Sesame } from './lib/sesame.mjs';
import { chromiumVersion, npmVersion, printVersions } from './lib/versions.mjs';

const require = createRequire(import.meta.url);
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SHOTS = path.join(REPO_ROOT, 'target', 'browser-screenshots');
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const DESKTOP = { viewport: { width: 1280, height: 800 } };
const MOBILE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
const ADMIN = 'root@example.com';
// Nothing listens here: the RP takes the callback URL from the person's redirect.
const REDIRECT = 'http://127.0.0.1:9/console-client/callback';

let mailbox;
let sesame;
let browser;
let adminState; // the signed-in admin's cookies, for the other contexts
const registered = {};

before(async () => {
  fs.mkdirSync(SHOTS, { recursive: true });
  mailbox = await Mailbox.start();
  sesame = await Sesame.start({ mailbox, label: 'console' });
  await sesame.cli(['admins', 'add', ADMIN]);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
      '--disable-component-update', '--disable-sync', '--no-first-run'],
  });
  printVersions([
    `${chromiumVersion(CHROMIUM)} (browser reports ${browser.version()})`,
    `playwright-core ${npmVersion('playwright-core')}, axe-core ${npmVersion('axe-core')}, openid-client ${npmVersion('openid-client')}`,
  ]);
});

after(async () => {
  await browser?.close();
  await sesame?.stop();
  await mailbox?.close();
});

/** A context and page that collect console errors and CSP violations. */
async function openPage(options = DESKTOP, storageState) {
  const context = await browser.newContext({ ...options, locale: 'en-GB', storageState });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => {
    if (/^Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) return;
    if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('response', (r) => {
    if (r.request().resourceType() !== 'document' && r.status() >= 400) {
      problems.push(`subresource ${r.url()} answered ${r.status()}`);
    }
  });
  page.done = async () => {
    assert.deepEqual(problems, [], 'no console errors or CSP violations');
    await context.close();
  };
  return page;
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(SHOTS, `console-${name}.png`), fullPage: true });
}

async function axe(page, label) {
  await page.evaluate(AXE_SOURCE);
  const result = await page.evaluate(() =>
    // eslint-disable-next-line no-undef
    axe.run(document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] },
      resultTypes: ['violations'],
    }),
  );
  const found = result.violations.map(
    (v) => `${v.id} (${v.impact}): ${v.help} — ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`,
  );
  assert.deepEqual(found, [], `axe violations on ${label}`);
}

describe('the admin console in Chromium', () => {
  test('an admin signs in with a code and registers a client, which then signs a person in with openid-client', async () => {
    const page = await openPage();
    await page.goto(sesame.url('/admin/console/'));
    await page.waitForURL((u) => u.pathname === '/login');
    await page.getByRole('heading', { name: /Sign in to the Sesame admin console/ }).waitFor();
    await shot(page, 'sign-in');
    await page.getByLabel('Email address').fill(ADMIN);
    await page.getByRole('button', { name: 'Send me a code' }).click();
    await page.getByRole('heading', { name: 'Enter your code' }).waitFor();
    const mail = await mailbox.nextMessageTo(ADMIN);
    await page.getByLabel('6-digit code').fill(mail.code);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.waitForURL((u) => u.pathname === '/admin/console/');
    await page.getByRole('heading', { name: 'Overview' }).waitFor();
    await shot(page, 'overview');

    await page.getByRole('link', { name: 'Clients', exact: true }).click();
    await page.getByRole('link', { name: 'Register a client' }).click();
    // The preview follows the fields as they are typed, before any button is pressed.
    const preview = page.locator('#preview');
    await preview.getByText('Sign in to Your app').waitFor();
    const accentOf = () =>
      preview.locator('.button-like').evaluate((el) => getComputedStyle(el).backgroundColor);
    const accentBefore = await accentOf();
    await page.getByLabel('Name', { exact: true }).fill('Console-made app');
    await preview.getByText('Sign in to Console-made app').waitFor();
    await page.getByLabel('Redirect URIs (one per line)', { exact: true }).fill(REDIRECT);
    await page.getByLabel('First-party (no consent page)').uncheck();
    await page.getByLabel('Accent colour (#rrggbb)').fill('#1d6b37');
    await page.waitForFunction(
      () => document.getElementById('preview-style')?.getAttribute('href') === '/admin/console/preview/1d6b37/style.css',
    );
    await page.waitForFunction(
      () => getComputedStyle(document.querySelector('#preview .button-like')).backgroundColor === 'rgb(29, 107, 55)',
    );
    assert.notEqual(accentBefore, 'rgb(29, 107, 55)', 'the colour came from typing it');
    await page.getByLabel('Privacy policy', { exact: true }).fill('https://app.example/privacy');
    const policy = preview.getByRole('link', { name: 'Privacy policy' });
    await policy.waitFor();
    assert.equal(await policy.getAttribute('href'), 'https://app.example/privacy');
    // An address that is not https is not shown, as on the sign-in page.
    await page.getByLabel('Terms of service', { exact: true }).fill('http://app.example/terms');
    await page.getByLabel('Home page', { exact: true }).fill('https://app.example/');
    await preview.getByRole('link', { name: 'Console-made app' }).waitFor();
    assert.equal(await preview.getByRole('link', { name: 'Terms of service' }).count(), 0);
    await page.getByLabel('Terms of service', { exact: true }).fill('');
    await shot(page, 'client-live-preview');
    // Without the script, the button renders the same preview on the server.
    await page.getByRole('button', { name: 'Preview the sign-in page' }).click();
    await preview.getByText('Sign in to Console-made app').waitFor();
    assert.equal(await preview.getByRole('link', { name: 'Privacy policy' }).getAttribute('href'), 'https://app.example/privacy');
    await shot(page, 'client-preview');
    await page.getByRole('button', { name: 'Register' }).click();
    await page.getByRole('heading', { name: 'Client registered' }).waitFor();
    registered.client_id = (await page.locator('dd code').first().textContent()).trim();
    registered.client_secret = (await page.locator('#secret').textContent()).trim();
    assert.ok(registered.client_secret.length >= 40, 'the secret is shown once');
    await shot(page, 'client-registered');
    adminState = await page.context().storageState();
    await page.done();

    // The client the console registered, used by an independent relying party.
    const config = await oidc.discovery(
      new URL(sesame.issuer),
      registered.client_id,
      undefined,
      oidc.ClientSecretBasic(registered.client_secret),
      { execute: [oidc.allowInsecureRequests, oidc.enableNonRepudiationChecks] },
    );
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    const url = oidc.buildAuthorizationUrl(config, {
      redirect_uri: REDIRECT,
      scope: 'openid email',
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
      state,
      nonce,
    });
    // A third-party client: the person consents first.
    const person = new Person();
    let res = await person.request(url.href);
    const loginUrl = new URL(res.headers.get('location'), sesame.issuer).href;
    res = await person.request(loginUrl);
    let html = await res.text();
    const hidden = (h, n) => h.match(new RegExp(`name="${n}" value="([^"]*)"`))[1];
    const tx = hidden(html, 'tx');
    const csrf = hidden(html, 'csrf');
    await person.request(sesame.url('/login'), { method: 'POST', form: { tx, csrf, identifier: 'grace@example.com' } });
    const code = (await mailbox.nextMessageTo('grace@example.com')).code;
    res = await person.request(sesame.url('/login/verify'), { method: 'POST', form: { tx, csrf, code } });
    assert.equal(res.status, 303);
    let next = new URL(res.headers.get('location'), sesame.issuer);
    assert.equal(next.pathname, '/consent', 'a third-party client asks for consent');
    res = await person.request(next.href);
    html = await res.text();
    res = await person.request(sesame.url('/consent'), {
      method: 'POST',
      form: { tx: hidden(html, 'tx'), csrf: hidden(html, 'csrf'), decision: 'allow' },
    });
    assert.equal(res.status, 303, await res.text());
    const callback = new URL(res.headers.get('location'));
    assert.ok(callback.href.startsWith(`${REDIRECT}?`), callback.href);
    const tokens = await oidc.authorizationCodeGrant(config, callback, {
      pkceCodeVerifier: verifier,
      expectedState: state,
      expectedNonce: nonce,
      idTokenExpected: true,
    });
    const claims = tokens.claims();
    assert.equal(claims.email, 'grace@example.com');
    assert.deepEqual([claims.aud].flat(), [registered.client_id]);
  });

  test('every console page passes axe, light and dark, at desktop and phone size', async () => {
    assert.ok(adminState, 'the admin signed in in the first test');
    const grace = JSON.parse(await sesame.cli(['users', 'get', 'grace@example.com', '--json']));
    await sesame.cli(['groups', 'add', 'staff', '--description', 'Employees']);
    await sesame.cli(['groups', 'add-member', 'staff', 'grace@example.com']);
    await sesame.cli(['users', 'set-attribute', 'grace@example.com', 'minio_policy', 'readwrite']);
    const pages = [
      ['overview', '/admin/console/'],
      ['clients', '/admin/console/clients'],
      ['client-new', '/admin/console/clients/new'],
      ['client', `/admin/console/clients/${registered.client_id}`],
      ['client-delete', `/admin/console/clients/${registered.client_id}/delete`],
      ['people', '/admin/console/people'],
      ['person', `/admin/console/people/${grace.user_id}`],
      ['groups', '/admin/console/groups'],
      ['group', '/admin/console/groups/staff'],
      ['keys', '/admin/console/keys'],
      ['audit', '/admin/console/audit'],
      ['review', '/admin/console/review'],
      ['tokens', '/admin/console/tokens'],
      ['admins', '/admin/console/admins'],
    ];
    for (const [size, options] of [['desktop', DESKTOP], ['phone', MOBILE]]) {
      for (const scheme of ['light', 'dark']) {
        const page = await openPage(options, adminState);
        await page.emulateMedia({ colorScheme: scheme });
        for (const [name, p] of pages) {
          const res = await page.goto(sesame.url(p));
          assert.equal(res.status(), 200, `${p} answers 200`);
          assert.equal(new URL(page.url()).pathname, p, `${p} is shown, not a sign-in`);
          await axe(page, `${name} (${size}, ${scheme})`);
          if (size === 'phone') {
            const wide = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth + 1);
            assert.equal(wide, false, `${name} fits a phone's width`);
          }
          await shot(page, `${name}-${size}-${scheme}`);
        }
        // The preview, with the client's colour on it.
        await page.goto(sesame.url(`/admin/console/clients/${registered.client_id}`));
        await page.getByRole('button', { name: 'Preview the sign-in page' }).click();
        await page.locator('#preview').getByText('Sign in to Console-made app').waitFor();
        await axe(page, `client preview (${size}, ${scheme})`);
        await shot(page, `client-preview-${size}-${scheme}`);
        await page.done();
      }
    }
  });
});
