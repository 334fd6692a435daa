// A stand-in for an SMS provider, at its wire protocol: it receives Sesame's signed webhook
// (`POST /hooks/sms`, JSON `{to, body}`) like a real provider's HTTP API would, keeps each
// text, and answers 200. Tests read the code from the text Sesame really sent.

import http from 'node:http';

export const SMS_WAIT_MS = 10_000;

export class SmsHook {
  /** @type {Array<{to: string, body: string, code: string, taken: boolean}>} */
  texts = [];
  #waiters = new Set();
  url = '';

  static async start() {
    const hook = new SmsHook();
    hook.server = http.createServer((req, res) => {
      const chunks = [];
      req.on('data', (c) => chunks.push(c));
      req.on('end', () => {
        if (req.method !== 'POST' || req.url !== '/hooks/sms' || !req.headers['x-sesame-signature']) {
          res.writeHead(400).end();
          return;
        }
        const { to, body } = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        const code = /^(\d{6})/.exec(body)?.[1] ?? '';
        hook.texts.push({ to, body, code, taken: false });
        for (const w of [...hook.#waiters]) w();
        res.writeHead(200, { 'content-type': 'application/json' }).end('{"id":"fake"}');
      });
    });
    await new Promise((resolve) => hook.server.listen(0, '127.0.0.1', resolve));
    hook.url = `http://127.0.0.1:${hook.server.address().port}/hooks/sms`;
    return hook;
  }

  /** The next text to `to` not returned before. */
  async nextTo(to) {
    const deadline = Date.now() + SMS_WAIT_MS;
    for (;;) {
      const t = this.texts.find((m) => !m.taken && m.to === to);
      if (t) {
        t.taken = true;
        return t;
      }
      if (Date.now() > deadline) throw new Error(`no text to ${to} within ${SMS_WAIT_MS} ms`);
      await new Promise((resolve) => {
        const done = () => {
          this.#waiters.delete(done);
          resolve();
        };
        this.#waiters.add(done);
        setTimeout(done, 100);
      });
    }
  }

  async close() {
    await new Promise((resolve) => this.server.close(resolve));
  }
}
