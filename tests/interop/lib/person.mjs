// The "browser" half of a relying-party test, done with plain HTTP: a cookie jar, manual
// redirects, and the hosted forms posted with their hidden fields — what a person's browser
// does, minus the rendering (the real browser has its own suite, browser.test.mjs).

import assert from 'node:assert/strict';

/** Value of `<input type="hidden" name="NAME" value="...">` in a page. */
export function hidden(html, name) {
  const re = new RegExp(`<input type="hidden" name="${name}" value="([^"]*)"`);
  const m = re.exec(html);
  if (!m) throw new Error(`no hidden field ${name} in the page:\n${html}`);
  return m[1]
    .replaceAll('&quot;', '"')
    .replaceAll('&#x27;', "'")
    .replaceAll('&#39;', "'")
    .replaceAll('&lt;', '<')
    .replaceAll('&gt;', '>')
    .replaceAll('&amp;', '&');
}

export class Person {
  /** name -> value, for the one origin the tests talk to. */
  cookies = new Map();

  #remember(res) {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const eq = pair.indexOf('=');
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const expired = attrs.some((a) => /^\s*max-age\s*=\s*0\s*$/i.test(a));
      if (expired) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  async request(url, { method = 'GET', form } = {}) {
    const headers = {};
    if (this.cookies.size) {
      headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
    }
    let body;
    if (form) {
      headers['content-type'] = 'application/x-www-form-urlencoded';
      body = new URLSearchParams(form).toString();
    }
    const res = await fetch(url, { method, headers, body, redirect: 'manual' });
    this.#remember(res);
    return res;
  }

  /**
   * Signs in from an authorization URL: authorize -> login page -> email -> code from the
   * real email -> code -> the redirect back to the RP. Returns the callback URL (not fetched:
   * the RP library takes it from here).
   */
  async signIn(authorizationUrl, email, mailbox, { issuer }) {
    let res = await this.request(authorizationUrl);
    assert.equal(res.status, 303, `authorize should send the browser to the login page: ${await res.text()}`);
    const loginUrl = new URL(res.headers.get('location'), issuer).href;
    assert.ok(loginUrl.startsWith(`${issuer}/login?tx=`), loginUrl);

    res = await this.request(loginUrl);
    assert.equal(res.status, 200);
    let html = await res.text();
    const tx = hidden(html, 'tx');
    const csrf = hidden(html, 'csrf');

    res = await this.request(`${issuer}/login`, { method: 'POST', form: { tx, csrf, identifier: email } });
    assert.equal(res.status, 303, `submitting the address should redirect: ${await res.text()}`);
    const mail = await mailbox.nextMessageTo(email);
    assert.ok(mail.subject.startsWith(mail.code), `the subject starts with the code: ${mail.subject}`);

    res = await this.request(new URL(res.headers.get('location'), issuer).href);
    html = await res.text();
    assert.match(html, /Enter your code/);

    res = await this.request(`${issuer}/login/verify`, { method: 'POST', form: { tx, csrf, code: mail.code } });
    assert.equal(res.status, 303, `the right code should redirect to the RP: ${await res.text()}`);
    return res.headers.get('location');
  }
}
