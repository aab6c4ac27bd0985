import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createServer, type Server } from 'node:http';
import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { SESv2Client } from '@aws-sdk/client-sesv2';
import { createLocalSesClient, startSesLocal, type SesLocal } from '../../../functions/local/ses-local.ts';

describe('aws-ses-v2-local launcher', () => {
  let ses: SesLocal;
  let client: SESv2Client;

  beforeAll(async () => {
    ses = await startSesLocal();
    client = createLocalSesClient(ses.endpoint);
  });
  afterAll(async () => {
    client?.destroy();
    await ses?.stop();
  });

  it('stores a simple HTML + text email with an attachment', async () => {
    const { MessageId } = await client.send(
      new SendEmailCommand({
        FromEmailAddress: 'inkoop@zorgverzekeraar.example',
        Destination: { ToAddresses: ['aanbieder@praktijk.example'] },
        Content: {
          Simple: {
            Subject: { Data: 'Uitnodiging inkoopronde 2026' },
            Body: { Text: { Data: 'Beste aanbieder,' }, Html: { Data: '<p>Beste aanbieder,</p>' } },
            Attachments: [{ FileName: 'kalender.ics', RawContent: new TextEncoder().encode('BEGIN:VCALENDAR'), ContentType: 'text/calendar' }],
          },
        },
      }),
    );

    const email = (await ses.fetchStore()).find((e) => e.messageId === MessageId);
    expect(email).toMatchObject({
      from: 'inkoop@zorgverzekeraar.example',
      destination: { to: ['aanbieder@praktijk.example'], cc: [], bcc: [] },
      subject: 'Uitnodiging inkoopronde 2026',
      body: { text: 'Beste aanbieder,', html: '<p>Beste aanbieder,</p>' },
      attachments: [{ filename: 'kalender.ics', contentType: 'text/calendar', size: 15 }],
    });
    expect(Buffer.from(email!.attachments[0].content, 'base64').toString()).toBe('BEGIN:VCALENDAR');
  });

  it('parses a raw MIME email with an attachment', async () => {
    const mime = [
      'From: inkoop@zorgverzekeraar.example',
      'To: aanbieder@praktijk.example',
      'Subject: Herinnering',
      'MIME-Version: 1.0',
      'Content-Type: multipart/mixed; boundary="grens"',
      '',
      '--grens',
      'Content-Type: text/plain; charset=utf-8',
      '',
      'De deadline nadert.',
      '--grens',
      'Content-Type: application/pdf; name="voorwaarden.pdf"',
      'Content-Disposition: attachment; filename="voorwaarden.pdf"',
      'Content-Transfer-Encoding: base64',
      '',
      Buffer.from('%PDF-1.4').toString('base64'),
      '--grens--',
      '',
    ].join('\r\n');
    const { MessageId } = await client.send(new SendEmailCommand({ Content: { Raw: { Data: new TextEncoder().encode(mime) } } }));

    const email = (await ses.fetchStore()).find((e) => e.messageId === MessageId);
    expect(email).toMatchObject({
      from: 'inkoop@zorgverzekeraar.example',
      destination: { to: ['aanbieder@praktijk.example'] },
      subject: 'Herinnering',
      attachments: [{ filename: 'voorwaarden.pdf', contentType: 'application/pdf' }],
    });
    expect(email!.body.text?.trim()).toBe('De deadline nadert.');
    expect(Buffer.from(email!.attachments[0].content, 'base64').toString()).toBe('%PDF-1.4');
  });

  it('serves the mailbox page', async () => {
    const response = await fetch(ses.mailboxUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/html');
  });

  it('refuses a port that is already taken', async () => {
    await expect(startSesLocal({ port: ses.port })).rejects.toThrow(/could not listen/);
  });

  it('gives up on an endpoint that never answers, thanks to the request timeout', async () => {
    const silent: Server = createServer(() => undefined); // accepts requests, never responds
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const address = silent.address() as { port: number };
    const impatient = createLocalSesClient(`http://127.0.0.1:${address.port}`, { timeoutMs: 300 });
    try {
      const send = impatient.send(
        new SendEmailCommand({
          FromEmailAddress: 'a@zorgverzekeraar.example',
          Destination: { ToAddresses: ['b@praktijk.example'] },
          Content: { Simple: { Subject: { Data: 's' }, Body: { Text: { Data: 't' } } } },
        }),
      );
      // Without throwOnRequestTimeout the SDK only warns and keeps waiting.
      await expect(send).rejects.toMatchObject({ name: 'TimeoutError' });
    } finally {
      impatient.destroy();
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});

describe('aws-ses-v2-local with injected faults', () => {
  it('answers the drawn share of sends with 429 throttling or 503, stores none of them, and counts them', async () => {
    // Draws: 0.05 (< rate/2: throttled), 0.15 (< rate: unavailable), 0.9 (passes).
    const draws = [0.05, 0.15, 0.9];
    const ses = await startSesLocal({ faults: { rate: 0.2, random: () => draws.shift() ?? 0.9 } });
    const client = createLocalSesClient(ses.endpoint);
    try {
      await ses.clear();
      const send = () =>
        client.send(
          new SendEmailCommand({
            FromEmailAddress: 'inkoop@zorgverzekeraar.example',
            Destination: { ToAddresses: ['aanbieder@praktijk.example'] },
            Content: { Simple: { Subject: { Data: 'Herinnering' }, Body: { Text: { Data: 'Beste aanbieder,' } } } },
          }),
        );
      await expect(send()).rejects.toMatchObject({ name: 'TooManyRequestsException', $metadata: { httpStatusCode: 429 } });
      await expect(send()).rejects.toMatchObject({ $metadata: { httpStatusCode: 503 } });
      const { MessageId } = await send();
      expect((await ses.fetchStore()).map((e) => e.messageId)).toEqual([MessageId]);
      expect(ses.faults).toEqual({ throttled: 1, unavailable: 1 });
    } finally {
      client.destroy();
      await ses.stop();
    }
  });

  it('refuses a fault rate outside [0, 1)', async () => {
    await expect(startSesLocal({ faults: { rate: 1 } })).rejects.toThrow(/\[0, 1\)/);
  });
});

