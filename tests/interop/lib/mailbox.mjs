// A real SMTP listener (the `smtp-server` package) that keeps every message it receives,
// parsed with `mailparser`, so tests read one-time codes from the email Sesame really sent.
//
// It also serves a tiny HTTP "mailbox" (GET /code?to=ADDRESS) so a relying-party program
// written in another language (tests/interop/rust-rp) can wait for the next code sent to an
// address without speaking SMTP itself.

import http from 'node:http';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';

export const MAIL_WAIT_MS = 10_000;

/** The one-time code in a message's text part: a line holding exactly six digits. */
export function codeFromText(text) {
  const m = /^\s*(\d{6})\s*$/m.exec(text ?? '');
  if (!m) throw new Error(`no 6-digit code line in the message text:\n${text}`);
  return m[1];
}

export class Mailbox {
  /** @type {Array<{to: string[], from: string, subject: string, text: string, html: string, code: string, taken: boolean}>} */
  messages = [];
  #waiters = new Set();
  smtpPort = 0;
  httpUrl = '';

  static async start() {
    const box = new Mailbox();
    await box.#listen();
    return box;
  }

  async #listen() {
    this.smtp = new SMTPServer({
      // Plain SMTP on loopback, as `smtp://127.0.0.1:PORT` tells Sesame to speak it.
      secure: false,
      disabledCommands: ['STARTTLS', 'AUTH'],
      authOptional: true,
      logger: false,
      size: 1024 * 1024,
      onData: (stream, session, callback) => {
        simpleParser(stream)
          .then((mail) => {
            const to = session.envelope.rcptTo.map((r) => r.address.toLowerCase());
            const text = mail.text ?? '';
            const msg = {
              to,
              from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
              subject: mail.subject ?? '',
              text,
              html: typeof mail.html === 'string' ? mail.html : '',
              code: codeFromText(text),
              taken: false,
            };
            this.messages.push(msg);
            for (const w of [...this.#waiters]) w();
            callback();
          })
          .catch((e) => callback(e));
      },
    });
    await new Promise((resolve, reject) => {
      this.smtp.once('error', reject);
      this.smtp.listen(0, '127.0.0.1', () => resolve());
    });
    this.smtpPort = this.smtp.server.address().port;

    this.http = http.createServer((req, res) => {
      const url = new URL(req.url, 'http://mailbox');
      if (req.method !== 'GET' || url.pathname !== '/code' || !url.searchParams.get('to')) {
        res.writeHead(404).end('GET /code?to=ADDRESS\n');
        return;
      }
      this.nextMessageTo(url.searchParams.get('to'))
        .then((m) => res.writeHead(200, { 'content-type': 'text/plain' }).end(m.code))
        .catch((e) => res.writeHead(504, { 'content-type': 'text/plain' }).end(String(e.message)));
    });
    await new Promise((resolve) => this.http.listen(0, '127.0.0.1', resolve));
    this.httpUrl = `http://127.0.0.1:${this.http.address().port}`;
  }

  get smtpUrl() {
    return `smtp://127.0.0.1:${this.smtpPort}`;
  }

  /** Messages sent to an address so far. */
  messagesTo(address) {
    const a = address.toLowerCase();
    return this.messages.filter((m) => m.to.includes(a));
  }

  /** Waits for the next message to `address` not returned before, and marks it taken. */
  async nextMessageTo(address, timeoutMs = MAIL_WAIT_MS) {
    const a = address.toLowerCase();
    const take = () => {
      const m = this.messages.find((m) => !m.taken && m.to.includes(a));
      if (m) m.taken = true;
      return m;
    };
    const found = take();
    if (found) return found;
    return await new Promise((resolve, reject) => {
      const waiter = () => {
        const m = take();
        if (m) {
          clearTimeout(timer);
          this.#waiters.delete(waiter);
          resolve(m);
        }
      };
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new Error(`no email to ${address} within ${timeoutMs} ms`));
      }, timeoutMs);
      this.#waiters.add(waiter);
    });
  }

  async close() {
    await new Promise((resolve) => this.smtp.close(resolve));
    this.http.closeAllConnections?.();
    await new Promise((resolve) => this.http.close(resolve));
  }
}
