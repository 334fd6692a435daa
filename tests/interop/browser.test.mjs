// The hosted pages in a real browser: Debian's Chromium, headless, driven by playwright-core.
// Sesame runs in development mode (so the demo app at `/` exists) with real SMTP, so codes
// are read from the emails it really sends.
//
// Screenshots of every page go to target/browser-screenshots/ (CI artefacts).
// Run: `node --test browser.test.mjs` (from tests/interop, after `npm ci`), or run.sh.
// CHROMIUM=/path/to/chromium overrides /usr/bin/chromium.

import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { chromium } from 'playwright-core';

import { Mailbox } from './lib/mailbox.mjs';
import { SmsHook } from './lib/smshook.mjs';
import { REPO_ROOT, Sesame } from './lib/sesame.mjs';
import { chromiumVersion, npmVersion, printVersions } from './lib/versions.mjs';

const require = createRequire(import.meta.url);
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const SHOTS = path.join(REPO_ROOT, 'target', 'browser-screenshots');
const AXE_SOURCE = fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
const RESEND_COOLDOWN_SECONDS = 3;
const SHORT_CODE_TTL_SECONDS = 2;
const DESKTOP = { viewport: { width: 1280, height: 800 } };
const MOBILE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

let mailbox;
let sesame; // the main server: default code lifetime, short resend cooldown
let shortTtl; // a second server whose codes live 2 seconds
let smsHook; // the stand-in SMS provider
let withSms; // a third server that texts codes through it
let browser;

before(async () => {
  fs.rmSync(SHOTS, { recursive: true, force: true });
  fs.mkdirSync(SHOTS, { recursive: true });
  mailbox = await Mailbox.start();
  smsHook = await SmsHook.start();
  [sesame, shortTtl, withSms] = await Promise.all([
    Sesame.start({
      mailbox,
      label: 'browser',
      env: { SESAME_LOGIN__RESEND_COOLDOWN_SECONDS: String(RESEND_COOLDOWN_SECONDS) },
    }),
    Sesame.start({
      mailbox,
      label: 'browser-short-ttl',
      env: { SESAME_LOGIN__CODE_TTL_SECONDS: String(SHORT_CODE_TTL_SECONDS) },
    }),
    Sesame.start({
      mailbox,
      label: 'browser-sms',
      env: {
        SESAME_SMS__PROVIDER: 'webhook',
        SESAME_SMS__WEBHOOK__URL: smsHook.url,
        SESAME_SMS__WEBHOOK__SECRET: 'webhook-secret-0123456789abcdef-0123456789',
      },
    }),
  ]);
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    // playwright gives every launch a fresh, empty user-data-dir.
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
  printVersions([
    `${chromiumVersion(CHROMIUM)} (browser reports ${browser.version()})`,
    `playwright-core ${npmVersion('playwright-core')}, axe-core ${npmVersion('axe-core')}`,
  ]);
});

after(async () => {
  await browser?.close();
  await Promise.all([sesame?.stop(), shortTtl?.stop(), withSms?.stop()]);
  await mailbox?.close();
  await smsHook?.close();
});

/**
 * A fresh browser context (its own cookies) and page. Console errors, page errors and CSP
 * violations are collected: every test ends by asserting there were none.
 */
async function openPage(options = DESKTOP, locale = 'en-GB') {
  const context = await browser.newContext({ ...options, locale });
  const page = await context.newPage();
  const problems = [];
  page.on('console', (m) => {
    // A page answered with 4xx (a wrong code is a 400, the cooldown a 429) logs "Failed to
    // load resource"; that is the document itself and expected. Subresources are checked below.
    if (/^Failed to load resource: the server responded with a status of 4\d\d/.test(m.text())) return;
    if (m.type() === 'error' || /Content Security Policy/i.test(m.text())) problems.push(`console: ${m.text()}`);
  });
  page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
  page.on('requestfailed', (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
  page.on('response', (r) => {
    if (r.request().resourceType() !== 'document' && r.status() >= 400) {
      problems.push(`subresource ${r.url()} answered ${r.status()}`);
    }
  });
  page.assertClean = () => assert.deepEqual(problems, [], 'no console errors or CSP violations');
  page.done = async () => {
    page.assertClean();
    await context.close();
  };
  return page;
}

async function shot(page, name) {
  await page.screenshot({ path: path.join(SHOTS, `${name}.png`), fullPage: true });
}

async function text(page, selector) {
  return (await page.locator(selector).first().textContent()).replace(/\s+/g, ' ').trim();
}

/** Runs axe-core in the page; fails with the list of violations. */
async function axe(page, label) {
  // Injected through the DevTools protocol: the pages' CSP (no inline script) stays on.
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
  return result.passes?.length ?? 0;
}

/** From the demo home page to the hosted sign-in page. */
async function startDemoSignIn(page, server = sesame) {
  await page.goto(server.url('/'));
  await page.getByRole('button', { name: 'Sign in to the demo app' }).click();
  await page.waitForURL((u) => u.pathname === '/login');
  await page.getByRole('heading', { name: 'Sign in to Demo app' }).waitFor();
}

/** Types the address and waits for the code page; returns the email that arrived. */
async function requestCode(page, email) {
  await page.getByLabel('Email address').fill(email);
  await page.getByRole('button', { name: 'Send me a code' }).click();
  await page.getByRole('heading', { name: 'Enter your code' }).waitFor();
  return await mailbox.nextMessageTo(email);
}

async function submitCode(page, code) {
  await page.getByLabel('6-digit code').fill(code);
  await page.getByRole('button', { name: 'Sign in', exact: true }).click();
  await page.waitForLoadState();
}

async function expectSignedIn(page, email, server = sesame) {
  await page.waitForURL((u) => u.pathname === '/demo/callback');
  await page.getByRole('heading', { name: 'You are signed in' }).waitFor();
  const claims = JSON.parse(await page.locator('pre#id-token-claims').textContent());
  assert.equal(claims.email, email);
  assert.equal(claims.email_verified, true);
  assert.equal(claims.iss, server.issuer);
  assert.deepEqual([claims.aud].flat(), ['sesame-demo']);
  assert.ok(claims.nonce, 'the demo RP sent a nonce and got it back');
  const userinfo = JSON.parse(await page.locator('pre#userinfo').textContent());
  assert.equal(userinfo.sub, claims.sub);
  assert.equal(userinfo.email, email);
  return claims;
}

/** A 6-digit code different from `code`. */
function wrongCode(code) {
  return String((Number(code) + 1) % 1_000_000).padStart(6, '0');
}

describe('hosted pages in Chromium', () => {
  test('sign in from the demo app: type the address, read the code from the email, land back with the claims', async () => {
    const page = await openPage();
    await page.goto(sesame.url('/'));
    await shot(page, 'demo-home');
    await startDemoSignIn(page);
    await shot(page, 'login-email');

    const email = 'ada@example.com';
    const mail = await requestCode(page, email);
    assert.match(await text(page, 'main'), /We sent a 6-digit code to a\S*@example\.com/);
    assert.ok(!(await text(page, 'main')).includes(email), 'the code page shows the address masked');
    await shot(page, 'login-code');

    // The email as the person sees it (its HTML part, rendered in the same browser).
    const mailPage = await openPage();
    await mailPage.setContent(mail.html);
    assert.match(await text(mailPage, 'body'), new RegExp(`Enter this code to sign in to Demo app: ${mail.code}`));
    await shot(mailPage, 'email-code');
    await mailPage.done();

    await submitCode(page, mail.code);
    await expectSignedIn(page, email);
    await shot(page, 'demo-signed-in');
    await page.done();
  });

  test('the sign-in link in the email: in another browser it says to type the code there; in the same browser one click signs in', async () => {
    const page = await openPage();
    await startDemoSignIn(page);
    const email = 'linked@example.com';
    const mail = await requestCode(page, email);
    const link = /(https?:\/\/\S+\/login\/link\?\S+)/.exec(mail.text)?.[1];
    assert.ok(link, `a sign-in link in the email's text: ${mail.text}`);
    assert.ok(mail.html.includes('/login/link?'), 'and in its HTML part');

    // Another browser (a mail app's own, or a scanner) learns nothing and spends nothing.
    const other = await openPage();
    await other.goto(link);
    await other.getByRole('heading', { name: 'Open this link where you started' }).waitFor();
    const said = await text(other, 'main');
    assert.match(said, /type the 6-digit code/);
    for (const secret of [email, mail.code, 'Demo app', 'l***@example.com']) {
      assert.ok(!said.includes(secret), `the page names nothing of the sign-in (${secret})`);
    }
    await axe(other, 'sign-in link opened in another browser');
    await shot(other, 'login-link-elsewhere');
    await other.done();

    // The browser that started the sign-in gets a confirmation page, then one click.
    await page.goto(link);
    await page.getByRole('heading', { name: 'Sign in to Demo app?' }).waitFor();
    assert.match(await text(page, 'main'), /l\*\*\*@example\.com/);
    await axe(page, 'sign-in link confirmation');
    await shot(page, 'login-link-confirm');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    const claims = await expectSignedIn(page, email);
    assert.deepEqual(claims.amr, ['otp']);
    assert.equal(claims.acr, 'urn:sesame:acr:code');
    await page.done();
  });

  test('one account, both identifiers: signed in by email, a person adds a phone number on the account page and then signs in with it to the same sub', async () => {
    const email = 'two-ways@example.com';
    const number = '+16502530000';
    const page = await openPage();
    await startDemoSignIn(page, withSms);
    const mail = await requestCode(page, email);
    await submitCode(page, mail.code);
    const first = await expectSignedIn(page, email, withSms);

    await page.goto(withSms.url('/account/identifiers'));
    await page.getByRole('heading', { name: 'Sign-in addresses' }).waitFor();
    await page.getByLabel('Add an email address or phone number').fill(number);
    await page.getByRole('button', { name: 'Send a code' }).click();
    await page.getByLabel('6-digit code').waitFor();
    assert.match(await text(page, 'main'), /We sent a 6-digit code to \+1\*+00/);
    const sms = await smsHook.nextTo(number);
    await page.getByLabel('6-digit code').fill(sms.code);
    await page.getByRole('button', { name: 'Add', exact: true }).click();
    await page.getByRole('status').filter({ hasText: 'Added' }).waitFor();
    assert.match(await text(page, 'main'), /\+16502530000/);
    await axe(page, 'sign-in addresses');
    await shot(page, 'account-identifiers');
    await page.done();

    // Another browser, the number alone: the same account, its email claim included.
    const other = await openPage();
    await startDemoSignIn(other, withSms);
    await other.getByLabel('Email address or phone number').fill(number);
    await other.getByRole('button', { name: 'Send me a code' }).click();
    await other.getByRole('heading', { name: 'Enter your code' }).waitFor();
    await submitCode(other, (await smsHook.nextTo(number)).code);
    const second = await expectSignedIn(other, email, withSms);
    assert.equal(second.sub, first.sub);
    assert.deepEqual(second.amr, ['otp', 'sms']);
    await other.done();
  });

  test('a malformed address, a malformed code and a wrong code each get a clear message', async () => {
    const page = await openPage();
    await startDemoSignIn(page);

    await page.getByLabel('Email address').fill('not-an-email');
    await page.getByRole('button', { name: 'Send me a code' }).click();
    await page.getByRole('alert').waitFor();
    assert.equal(await text(page, '[role=alert]'), 'Enter an email address (like name@example.com) or a phone number.');
    const field = page.getByLabel('Email address');
    assert.equal(await field.getAttribute('aria-invalid'), 'true');
    assert.equal(await field.getAttribute('aria-describedby'), 'identifier-error');
    assert.equal(await field.inputValue(), 'not-an-email', 'what was typed is kept');
    await shot(page, 'login-email-invalid');

    const email = 'grace@example.com';
    const mail = await requestCode(page, email);

    await submitCode(page, '12');
    assert.equal(await text(page, '[role=alert]'), 'Enter the 6-digit code from the message.');

    await submitCode(page, wrongCode(mail.code));
    assert.equal(await text(page, '[role=alert]'), 'That code is not right. You have 4 tries left.');
    assert.equal(await page.getByLabel('6-digit code').getAttribute('aria-invalid'), 'true');
    assert.equal(await page.getByLabel('6-digit code').getAttribute('aria-describedby'), 'code-error');
    await shot(page, 'login-code-wrong');

    // The right code still works after a wrong one.
    await submitCode(page, mail.code);
    await expectSignedIn(page, email);
    await page.done();
  });

  test('asking for a new code too soon shows the cooldown; after it only the newest code works', async () => {
    const page = await openPage();
    await startDemoSignIn(page);
    const email = 'katherine@example.com';
    const first = await requestCode(page, email);

    await page.getByRole('button', { name: 'Send a new code' }).click();
    await page.getByRole('status').waitFor();
    assert.match(await text(page, '[role=status]'), /^Your code is on its way\. You can ask for another one in [1-3] seconds?\.$/);
    assert.equal(await page.locator('[role=alert]').count(), 0, 'waiting is not an error');
    assert.equal(mailbox.messagesTo(email).length, 1, 'no second email during the cooldown');
    await shot(page, 'login-code-cooldown');

    await page.waitForTimeout(RESEND_COOLDOWN_SECONDS * 1000 + 200);
    await page.getByRole('button', { name: 'Send a new code' }).click();
    await page.getByRole('status').waitFor();
    assert.equal(await text(page, '[role=status]'), 'We sent a new code. Only the newest code works.');
    const second = await mailbox.nextMessageTo(email);
    await shot(page, 'login-code-resent');

    if (second.code !== first.code) {
      await submitCode(page, first.code);
      assert.match(await text(page, '[role=alert]'), /not right|expired/, 'the replaced code no longer works');
    }
    await submitCode(page, second.code);
    await expectSignedIn(page, email);
    await page.done();
  });

  test('an expired code is refused with a message that says what to do', async () => {
    const page = await openPage();
    await startDemoSignIn(page, shortTtl);
    const mail = await requestCode(page, 'margaret@example.com');
    // Codes on this server live 2 seconds (SESAME_LOGIN__CODE_TTL_SECONDS=2).
    await page.waitForTimeout((SHORT_CODE_TTL_SECONDS + 1) * 1000 + 200);
    await submitCode(page, mail.code);
    assert.equal(await text(page, '[role=alert]'), 'This code has expired or was already used. Ask for a new code.');
    await shot(page, 'login-code-expired');
    await page.done();
  });

  test('keyboard only: Tab reaches every control in order, labels name the fields, Enter submits', async () => {
    const page = await openPage();
    await page.goto(sesame.url('/'));
    const active = () =>
      page.evaluate(() => {
        const el = document.activeElement;
        const style = getComputedStyle(el);
        return {
          tag: el.tagName.toLowerCase(),
          id: el.id,
          name: (el.labels?.[0]?.textContent ?? el.textContent ?? '').trim(),
          outline: `${style.outlineStyle} ${style.outlineWidth}`,
        };
      });

    await page.keyboard.press('Tab');
    let a = await active();
    assert.deepEqual([a.tag, a.name], ['button', 'Sign in to the demo app']);
    assert.equal(a.outline, 'solid 3px', 'keyboard focus is visible');
    await page.keyboard.press('Enter');
    await page.waitForURL((u) => u.pathname === '/login');

    a = await active();
    assert.deepEqual([a.tag, a.id, a.name], ['input', 'identifier', 'Email address or phone number'], 'the address field has focus and its label');
    const email = 'alan@example.com';
    await page.keyboard.type(email);
    await page.keyboard.press('Enter');
    await page.getByRole('heading', { name: 'Enter your code' }).waitFor();
    const mail = await mailbox.nextMessageTo(email);

    a = await active();
    assert.deepEqual([a.tag, a.id, a.name], ['input', 'code', '6-digit code'], 'the code field has focus and its label');
    const order = [];
    for (let i = 0; i < 3; i++) {
      await page.keyboard.press('Tab');
      a = await active();
      order.push(a.name);
      assert.equal(a.outline, 'solid 3px', `focus on "${a.name}" is visible`);
    }
    assert.deepEqual(order, ['Sign in', 'Send a new code', 'Use a different address']);
    for (let i = 0; i < 3; i++) await page.keyboard.press('Shift+Tab');
    assert.equal((await active()).id, 'code');
    await shot(page, 'keyboard-code-focused');

    await page.keyboard.type(mail.code);
    await page.keyboard.press('Enter');
    await expectSignedIn(page, email);
    await page.done();
  });

  for (const colorScheme of ['light', 'dark']) {
    test(`axe-core finds no accessibility violations on any page (${colorScheme} colour scheme)`, async () => {
      const page = await openPage({ ...DESKTOP, colorScheme });
      const suffix = colorScheme === 'dark' ? '-dark' : '';
      await page.goto(sesame.url('/'));
      await axe(page, 'demo home');
      await startDemoSignIn(page);
      await axe(page, 'address page');

      await page.getByLabel('Email address').fill('no-at-sign');
      await page.getByRole('button', { name: 'Send me a code' }).click();
      await page.getByRole('alert').waitFor();
      await axe(page, 'address page with an error');

      const email = `axe-${colorScheme}@example.com`;
      const mail = await requestCode(page, email);
      await axe(page, 'code page');
      await submitCode(page, wrongCode(mail.code));
      await axe(page, 'code page with an error');
      await page.getByRole('button', { name: 'Send a new code' }).click();
      await page.getByRole('status').waitFor();
      await axe(page, 'code page with the cooldown notice');
      if (colorScheme === 'dark') await shot(page, `login-code-error${suffix}`);

      await submitCode(page, mail.code);
      await expectSignedIn(page, email);
      await axe(page, 'demo result page');
      if (colorScheme === 'dark') await shot(page, `demo-signed-in${suffix}`);

      // The profile page, reached from the result page, says who is signed in.
      await page.getByRole('link', { name: 'Your profile' }).click();
      await page.getByRole('heading', { name: 'Your profile' }).waitFor();
      assert.match(await text(page, '.who'), /^Signed in as a\S*@example\.com$/);
      await axe(page, 'profile page');
      await shot(page, `account-profile${suffix}`);

      // An address nothing answers: a page with a way back and the request id.
      const res = await page.goto(sesame.url('/no/such/page'));
      assert.equal(res.status(), 404);
      await page.getByRole('heading', { name: 'Page not found' }).waitFor();
      assert.match(await text(page, '.request-id'), /^Request id: \S+$/);
      await axe(page, 'page not found');
      await shot(page, `error-not-found${suffix}`);

      await page.goto(sesame.url('/login?tx=no-such-sign-in'));
      await page.getByRole('heading', { name: 'This sign-in has expired' }).waitFor();
      await axe(page, 'error page (expired sign-in)');
      await shot(page, `error-expired-sign-in${suffix}`);

      const bad = new URL(sesame.url('/authorize'));
      bad.search = new URLSearchParams({
        client_id: 'no-such-client',
        response_type: 'code',
        redirect_uri: 'http://127.0.0.1:9/cb',
        scope: 'openid',
      }).toString();
      await page.goto(bad.href);
      await page.getByRole('heading').first().waitFor();
      await axe(page, 'error page (unknown client)');
      await shot(page, `error-unknown-client${suffix}`);
      await page.done();
    });
  }

  test('mobile viewport (390x844): no horizontal scrolling, readable fields, large touch targets', async () => {
    const page = await openPage(MOBILE);
    const check = async (label) => {
      const m = await page.evaluate(() => {
        const root = document.documentElement;
        // WCAG 2.5.8 exempts links inside a sentence; standalone links and controls count.
        const inSentence = (el) =>
          el.tagName === 'A' && el.parentElement.textContent.trim() !== el.textContent.trim();
        const controls = [...document.querySelectorAll('input:not([type=hidden]), button, a')].filter(
          (c) => !inSentence(c),
        );
        return {
          scrollWidth: root.scrollWidth,
          clientWidth: root.clientWidth,
          inputFontPx: [...document.querySelectorAll('input:not([type=hidden])')].map((i) =>
            parseFloat(getComputedStyle(i).fontSize),
          ),
          smallTargets: controls
            .map((c) => ({ text: (c.textContent || c.id).trim(), r: c.getBoundingClientRect() }))
            .filter(({ r }) => r.height < 24 || r.width < 24)
            .map(({ text, r }) => `${text} ${Math.round(r.width)}x${Math.round(r.height)}`),
        };
      });
      assert.ok(m.scrollWidth <= m.clientWidth, `${label}: page is ${m.scrollWidth}px wide in a ${m.clientWidth}px viewport`);
      // Below 16px, mobile Safari zooms into a focused field.
      for (const px of m.inputFontPx) assert.ok(px >= 16, `${label}: input font ${px}px`);
      assert.deepEqual(m.smallTargets, [], `${label}: controls smaller than 24x24 CSS px (WCAG 2.5.8)`);
    };
    await page.goto(sesame.url('/'));
    await check('demo home');
    await shot(page, 'mobile-demo-home');
    await startDemoSignIn(page);
    await check('address page');
    await shot(page, 'mobile-login-email');
    const email = 'hedy.lamarr.with.a.rather.long.address@subdomain.example.com';
    const mail = await requestCode(page, email);
    await check('code page');
    await submitCode(page, wrongCode(mail.code));
    await check('code page with an error');
    await shot(page, 'mobile-login-code-wrong');
    await submitCode(page, mail.code);
    await expectSignedIn(page, email);
    await check('demo result page');
    await shot(page, 'mobile-demo-signed-in');
    await page.done();
  });
});

describe('the hosted pages in every language', () => {
  // The browser's language (Accept-Language) chooses the language of the sign-in.
  const LANGUAGES = [
    ['en', 'en-GB'],
    ['de', 'de-DE'],
    ['fr', 'fr-FR'],
    ['es', 'es-ES'],
    ['pt-BR', 'pt-BR'],
    ['ja', 'ja-JP'],
    ['ar', 'ar'],
  ];
  for (const [tag, locale] of LANGUAGES) {
    test(`${tag}: the address and code pages say lang=${tag}, pass axe-core, and are photographed`, async () => {
      const page = await openPage(DESKTOP, locale);
      await page.goto(sesame.url('/'));
      assert.equal(await page.getAttribute('html', 'lang'), tag);
      await page.locator('form[action="/demo/start"] button').click();
      await page.waitForURL((u) => u.pathname === '/login');
      const dir = tag === 'ar' ? 'rtl' : 'ltr';
      assert.equal(await page.getAttribute('html', 'lang'), tag);
      assert.equal(await page.getAttribute('html', 'dir'), dir);
      await axe(page, `address page (${tag})`);
      await shot(page, `lang-${tag}-address`);
      if (tag === 'ar') {
        // Right to left: the field's label starts at the right edge of the card.
        const g = await page.evaluate(() => {
          const main = document.querySelector('main').getBoundingClientRect();
          const range = document.createRange();
          range.selectNodeContents(document.querySelector('label[for=identifier]'));
          const t = range.getBoundingClientRect();
          return {
            direction: getComputedStyle(document.querySelector('main')).direction,
            fromRight: main.right - t.right,
            fromLeft: t.left - main.left,
          };
        });
        assert.equal(g.direction, 'rtl');
        assert.ok(g.fromRight < g.fromLeft, `the label hugs the right edge: ${JSON.stringify(g)}`);
        // The address itself is typed left to right.
        assert.equal(await page.getAttribute('#identifier', 'dir'), 'ltr');
      }
      const email = `lang-${tag.toLowerCase()}@example.com`;
      await page.locator('#identifier').fill(email);
      await page.locator('form[action="/login"] button[type=submit]').click();
      await page.locator('#code').waitFor();
      const mail = await mailbox.nextMessageTo(email);
      assert.equal(await page.getAttribute('html', 'lang'), tag);
      await axe(page, `code page (${tag})`);
      await shot(page, `lang-${tag}-code`);
      const mailPage = await openPage();
      await mailPage.setContent(mail.html);
      assert.equal(await mailPage.getAttribute('html', 'lang'), tag);
      assert.equal(await mailPage.getAttribute('html', 'dir'), dir);
      await shot(mailPage, `lang-${tag}-email`);
      await mailPage.done();
      await page.done();
    });
  }
});
