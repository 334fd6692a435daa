// Independent relying parties against a live Sesame: the npm package `openid-client` (v6,
// an OpenID-certified RP library) and the Rust `openidconnect` crate as a standalone
// program (rust-rp/). Sesame runs as a child process on SQLite, sending real email to a
// real SMTP listener; clients are registered with the real CLI.
//
// Run: `node --test rp.test.mjs` (from tests/interop, after `npm ci`), or tests/interop/run.sh.
// SESAME_INTEROP_REQUIRE_REFRESH=1 turns "refresh not advertised" from a loud skip into a failure.

import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';
import * as oidc from 'openid-client';

import { Mailbox } from './lib/mailbox.mjs';
import { Person } from './lib/person.mjs';
import { REPO_ROOT, Sesame } from './lib/sesame.mjs';
import { crateVersion, npmVersion, printVersions } from './lib/versions.mjs';

const runFile = promisify(execFile);
const REQUIRE_REFRESH = process.env.SESAME_INTEROP_REQUIRE_REFRESH === '1';
const REFRESH_SKIPPED = 'refresh: not advertised by this server, skipped';

// Nothing listens on these: the RP takes the callback URL from the person's redirect.
const OC_REDIRECT = 'http://127.0.0.1:9/openid-client/callback';
const RS_REDIRECT = 'http://127.0.0.1:9/rust-rp/callback';

let mailbox;
let sesame;
const clients = {};

before(async () => {
  printVersions([
    `node ${process.version}`,
    `openid-client ${npmVersion('openid-client')} (oauth4webapi ${npmVersion('oauth4webapi')}, jose ${npmVersion('jose')})`,
    `openidconnect (Rust) ${crateVersion('openidconnect')} (oauth2 ${crateVersion('oauth2')}, reqwest ${crateVersion('reqwest')})`,
    `smtp-server ${npmVersion('smtp-server')}, mailparser ${npmVersion('mailparser')}`,
  ]);
  mailbox = await Mailbox.start();
  sesame = await Sesame.start({ mailbox, label: 'rp' });
  clients.ocConfidential = await sesame.addClient({ name: 'openid-client confidential', redirectUris: [OC_REDIRECT] });
  clients.ocPublic = await sesame.addClient({ name: 'openid-client public', redirectUris: [OC_REDIRECT], isPublic: true });
  clients.rsConfidential = await sesame.addClient({ name: 'Rust RP confidential', redirectUris: [RS_REDIRECT] });
  clients.rsPublic = await sesame.addClient({ name: 'Rust RP public', redirectUris: [RS_REDIRECT], isPublic: true });
  assert.ok(clients.ocConfidential.client_secret, 'a confidential client gets a secret');
  assert.equal(clients.ocPublic.client_secret, undefined, 'a public client gets no secret');
});

after(async () => {
  await sesame?.stop();
  await mailbox?.close();
});

function refreshAdvertised(meta) {
  return Array.isArray(meta.grant_types_supported) && meta.grant_types_supported.includes('refresh_token');
}

function announceRefreshSkipped() {
  console.log('');
  console.log(`!!!!!!!! ${REFRESH_SKIPPED} !!!!!!!!`);
  console.log('(the refresh step runs as soon as discovery lists refresh_token in grant_types_supported)');
  console.log('');
}

/** Runs named steps as subtests; once one fails the rest are skipped with that reason. */
function stepper(t) {
  let failed;
  return async (name, fn) => {
    if (failed) {
      await t.test(name, (st) => st.skip(`earlier step failed: ${failed}`));
      return;
    }
    await t.test(name, async (st) => {
      try {
        await fn(st);
      } catch (e) {
        failed = name;
        throw e;
      }
    });
  };
}

// ---------------------------------------------------------------- openid-client (npm)

/** openid-client configuration from discovery, as an app would build it. */
async function discover(reg, method, { nonRepudiation = true } = {}) {
  const auth =
    method === 'client_secret_basic'
      ? oidc.ClientSecretBasic(reg.client_secret)
      : method === 'client_secret_post'
        ? oidc.ClientSecretPost(reg.client_secret)
        : oidc.None();
  // allowInsecureRequests: the test server is plain http on loopback.
  // enableNonRepudiationChecks: check the ID token's signature against the JWKS too
  // (openid-client otherwise relies on TLS for tokens from the token endpoint).
  const execute = [oidc.allowInsecureRequests];
  if (nonRepudiation) execute.push(oidc.enableNonRepudiationChecks);
  return await oidc.discovery(new URL(sesame.issuer), reg.client_id, undefined, auth, { execute });
}

/** Starts a sign-in: PKCE S256 + state + nonce; returns what the callback will need. */
async function authorizationRequest(config, redirectUri) {
  const meta = config.serverMetadata();
  const verifier = oidc.randomPKCECodeVerifier();
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const scopes = ['openid', 'email'];
  if (refreshAdvertised(meta) && meta.scopes_supported?.includes('offline_access')) scopes.push('offline_access');
  const url = oidc.buildAuthorizationUrl(config, {
    redirect_uri: redirectUri,
    scope: scopes.join(' '),
    code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
    code_challenge_method: 'S256',
    state,
    nonce,
  });
  return { url, verifier, state, nonce };
}

/** The whole flow up to the redirect back, by a person at a (cookie-keeping) HTTP client. */
async function signInFor(config, email) {
  const req = await authorizationRequest(config, OC_REDIRECT);
  const callback = await new Person().signIn(req.url.href, email, mailbox, { issuer: sesame.issuer });
  assert.ok(callback.startsWith(`${OC_REDIRECT}?`), `redirected to the registered URI: ${callback}`);
  return { ...req, callback: new URL(callback) };
}

function exchange(config, req) {
  return oidc.authorizationCodeGrant(config, req.callback, {
    pkceCodeVerifier: req.verifier,
    expectedState: req.state,
    expectedNonce: req.nonce,
    idTokenExpected: true,
  });
}

for (const [kind, method] of [
  ['confidential', 'client_secret_basic'],
  ['public', 'none'],
]) {
  describe(`openid-client, ${kind} client (${method})`, () => {
    test('discovery, PKCE code flow with the code from the email, ID token, userinfo, refresh, code reuse', async (t) => {
      const reg = kind === 'confidential' ? clients.ocConfidential : clients.ocPublic;
      const email = `oc-${kind}@example.com`;
      const step = stepper(t);
      let config, req, tokens, claims;

      await step('discovery', async () => {
        config = await discover(reg, method);
        const meta = config.serverMetadata();
        assert.equal(meta.issuer, sesame.issuer);
        assert.ok(meta.code_challenge_methods_supported.includes('S256'));
        assert.ok(meta.token_endpoint_auth_methods_supported.includes(method));
      });

      await step('authorization URL with PKCE S256, state and nonce; sign-in with the emailed code', async () => {
        req = await signInFor(config, email);
        assert.equal(req.url.searchParams.get('code_challenge_method'), 'S256');
        assert.equal(req.callback.searchParams.get('iss'), sesame.issuer, 'RFC 9207 iss in the callback');
      });

      await step('code exchange and ID token validation (JWKS signature, iss, aud, exp, nonce)', async () => {
        tokens = await exchange(config, req);
        assert.equal(tokens.token_type.toLowerCase(), 'bearer');
        claims = tokens.claims();
        assert.equal(claims.iss, sesame.issuer);
        assert.deepEqual([claims.aud].flat(), [reg.client_id]);
        assert.equal(claims.nonce, req.nonce);
        assert.equal(claims.email, email);
        assert.equal(claims.email_verified, true);
        assert.ok(claims.exp > Date.now() / 1000, 'exp is in the future');
        assert.equal(typeof claims.auth_time, 'number');
        assert.ok(claims.sub.length > 0);
      });

      await step('userinfo', async () => {
        const ui = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
        assert.equal(ui.sub, claims.sub);
        assert.equal(ui.email, email);
      });

      await step('refresh token grant', async (st) => {
        if (!refreshAdvertised(config.serverMetadata())) {
          announceRefreshSkipped();
          if (REQUIRE_REFRESH) assert.fail(`${REFRESH_SKIPPED} (SESAME_INTEROP_REQUIRE_REFRESH=1)`);
          st.skip(REFRESH_SKIPPED);
          return;
        }
        assert.ok(tokens.refresh_token, 'refresh_token is advertised, so the code grant returns one');
        const refreshed = await oidc.refreshTokenGrant(config, tokens.refresh_token);
        const ui = await oidc.fetchUserInfo(config, refreshed.access_token, claims.sub);
        assert.equal(ui.email, email);
        if (refreshed.id_token) assert.equal(refreshed.claims().sub, claims.sub);
      });

      await step('the same code a second time is refused, and its access token revoked', async () => {
        await assert.rejects(exchange(config, req), (e) => {
          assert.equal(e.error, 'invalid_grant', `error: ${e.error} ${e.message}`);
          return true;
        });
        await assert.rejects(oidc.fetchUserInfo(config, tokens.access_token, claims.sub), (e) => {
          assert.equal(e.status ?? e.cause?.status, 401, `${e.name}: ${e.message}`);
          return true;
        });
        if (refreshAdvertised(config.serverMetadata())) {
          await assert.rejects(oidc.refreshTokenGrant(config, tokens.refresh_token), (e) => e.error === 'invalid_grant');
        }
      });
    });
  });
}

describe('openid-client, confidential client (client_secret_post)', () => {
  test('code flow with client_secret_post', async () => {
    const config = await discover(clients.ocConfidential, 'client_secret_post');
    const req = await signInFor(config, 'oc-post@example.com');
    const tokens = await exchange(config, req);
    assert.equal(tokens.claims().email, 'oc-post@example.com');
  });

  test('a wrong client secret is refused with invalid_client', async () => {
    const config = await discover({ ...clients.ocConfidential, client_secret: 'not-the-secret' }, 'client_secret_basic');
    const req = await signInFor(config, 'oc-wrong-secret@example.com');
    const e = await exchange(config, req).then(
      () => assert.fail('a wrong client secret was accepted'),
      (err) => err,
    );
    // RFC 6749 5.2: a failed Basic authentication answers 401 with WWW-Authenticate;
    // openid-client surfaces that as a challenge error carrying the response.
    assert.equal(e.code, 'OAUTH_WWW_AUTHENTICATE_CHALLENGE', `${e.name}: ${e.message}`);
    assert.equal(e.status, 401);
    assert.equal(e.cause[0].scheme, 'basic');
    const body = await e.response.json();
    assert.equal(body.error, 'invalid_client');
  });
});

/**
 * Signs in for real, then hands openid-client a token response whose ID token was edited in
 * transit (payload re-encoded, header and signature kept).
 */
async function exchangeTampered(edit, { nonRepudiation }) {
  const config = await discover(clients.ocConfidential, 'client_secret_basic', { nonRepudiation });
  const tokenEndpoint = config.serverMetadata().token_endpoint;
  config[oidc.customFetch] = async (url, options) => {
    const res = await fetch(url, options);
    if (url !== tokenEndpoint || !res.ok) return res;
    const body = await res.json();
    const [h, p, s] = body.id_token.split('.');
    const payload = JSON.parse(Buffer.from(p, 'base64url').toString('utf8'));
    edit(payload);
    body.id_token = [h, Buffer.from(JSON.stringify(payload)).toString('base64url'), s].join('.');
    return new Response(JSON.stringify(body), {
      status: res.status,
      headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
    });
  };
  const req = await signInFor(config, `oc-tamper-${Math.random().toString(36).slice(2, 8)}@example.com`);
  return exchange(config, req);
}

/** An error's message with the messages of its causes. */
function errorChain(e) {
  const parts = [];
  for (let c = e; c instanceof Error; c = c.cause) parts.push(`${c.name}: ${c.message}`);
  return parts.join(' <- ');
}

describe('openid-client rejects a tampered ID token', () => {
  test('a wrong aud is rejected by the audience check (signature check off)', async () => {
    await assert.rejects(
      exchangeTampered((p) => (p.aud = 'someone-else'), { nonRepudiation: false }),
      (e) => {
        assert.equal(e.code, 'OAUTH_JWT_CLAIM_COMPARISON_FAILED', errorChain(e));
        assert.match(errorChain(e), /unexpected JWT "aud"/);
        return true;
      },
    );
  });

  test('a changed email (iss, aud, nonce intact) is rejected by the JWKS signature check', async () => {
    await assert.rejects(
      exchangeTampered((p) => (p.email = 'mallory@example.com'), { nonRepudiation: true }),
      (e) => {
        assert.match(errorChain(e), /JWT signature verification failed/);
        return true;
      },
    );
  });

  test('control: the same interception without edits is accepted', async () => {
    const tokens = await exchangeTampered(() => {}, { nonRepudiation: true });
    assert.ok(tokens.claims().sub);
  });
});

// ---------------------------------------------------------------- openidconnect (Rust)

let rustRp;

function rustRpBinary() {
  if (process.env.SESAME_RUST_RP_BIN) return process.env.SESAME_RUST_RP_BIN;
  const dir = path.join(REPO_ROOT, 'tests', 'interop', 'rust-rp');
  const r = spawnSync('cargo', ['build', '--quiet', '--locked', '--manifest-path', path.join(dir, 'Cargo.toml')], {
    stdio: ['ignore', 'inherit', 'inherit'],
  });
  if (r.status !== 0) throw new Error(`building tests/interop/rust-rp failed (exit ${r.status})`);
  return path.join(dir, 'target', 'debug', 'sesame-rust-rp');
}

async function runRustRp(args) {
  try {
    const { stdout, stderr } = await runFile(rustRp, args, { timeout: 60_000 });
    process.stdout.write(stderr);
    return JSON.parse(stdout);
  } catch (e) {
    throw new Error(`sesame-rust-rp failed (exit ${e.code}):\nstdout: ${e.stdout}\nstderr: ${e.stderr}`);
  }
}

for (const [kind, auth] of [
  ['confidential', 'basic'],
  ['confidential', 'post'],
  ['public', 'none'],
]) {
  describe(`openidconnect (Rust), ${kind} client (${auth === 'none' ? 'none' : `client_secret_${auth}`})`, () => {
    before(() => {
      rustRp ??= rustRpBinary();
    });

    test('discovery, PKCE code flow with the code from the email, ID token, userinfo, refresh, code reuse, tampered tokens', async () => {
      const reg = kind === 'confidential' ? clients.rsConfidential : clients.rsPublic;
      const email = `rs-${kind}-${auth}@example.com`;
      const args = ['--issuer', sesame.issuer, '--client-id', reg.client_id, '--redirect-uri', RS_REDIRECT];
      args.push('--email', email, '--mailbox', mailbox.httpUrl);
      if (reg.client_secret) args.push('--client-secret', reg.client_secret, '--auth', auth);
      const out = await runRustRp(args);

      assert.equal(out.ok, true, out.error);
      assert.equal(out.auth, auth);
      assert.equal(out.id_token_claims.iss, sesame.issuer);
      assert.deepEqual([out.id_token_claims.aud].flat(), [reg.client_id]);
      assert.equal(out.id_token_claims.email, email);
      assert.equal(out.userinfo.email, email);
      assert.equal(out.userinfo.sub, out.id_token_claims.sub);
      assert.deepEqual(out.code_reuse, { rejected: true, error: 'invalid_grant', access_token_revoked: true });
      assert.match(out.tampered.wrong_aud_rejected, /audience/i);
      assert.match(out.tampered.changed_payload_rejected, /signature/i);
      if (out.refresh.advertised) {
        assert.equal(out.refresh.new_access_token_works, true);
      } else {
        announceRefreshSkipped();
        if (REQUIRE_REFRESH) assert.fail(`${REFRESH_SKIPPED} (SESAME_INTEROP_REQUIRE_REFRESH=1)`);
      }
      // Each sign-in sent exactly one email to that address.
      assert.equal(mailbox.messagesTo(email).length, 1);
    });
  });
}
