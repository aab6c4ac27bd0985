import { describe, expect, it } from 'vitest';
import { ValidationError } from '../../../functions/commons/errors.ts';
import { InvalidTextError, parseForm, type FormLimits } from '../../../functions/http/form.ts';
import { PayloadTooLargeError, UnsupportedMediaTypeError } from '../../../functions/commons/errors.ts';
import { event, multipart, pdfBytes } from './support.ts';

const MB = 1024 * 1024;
const limits: FormLimits = {
  maxBodyBytes: 5 * MB,
  files: { vog: { types: ['application/pdf'], maxBytes: 1 * MB }, plan: { types: ['application/pdf'], maxBytes: 1 * MB } },
};

const post = (contentType: string, body: Buffer | string) =>
  event('POST', '/l/t', { headers: { 'content-type': contentType }, body });

describe('urlencoded forms', () => {
  it('collects fields, repeated ones as arrays, in UTF-8', async () => {
    const form = await parseForm(
      post('application/x-www-form-urlencoded', 'name=Zorg+%26+Co&careTypes=msr&careTypes=zg&note=caf%C3%A9'),
      limits,
    );
    expect(form).toEqual({ fields: { name: ['Zorg & Co'], careTypes: ['msr', 'zg'], note: ['café'] }, files: {}, errors: {} });
  });

  it('also reads a body that was not base64-encoded', async () => {
    const e = post('application/x-www-form-urlencoded; charset=UTF-8', '');
    e.body = 'a=1';
    e.isBase64Encoded = false;
    expect((await parseForm(e, limits)).fields).toEqual({ a: ['1'] });
  });

  it('refuses other content types and oversized bodies', async () => {
    await expect(parseForm(post('application/json', '{}'), limits)).rejects.toBeInstanceOf(UnsupportedMediaTypeError);
    await expect(
      parseForm(post('application/x-www-form-urlencoded', `a=${'x'.repeat(100)}`), { maxBodyBytes: 50 }),
    ).rejects.toMatchObject({ httpStatus: 413 });
    await expect(
      parseForm(post('application/x-www-form-urlencoded', 'a=1&b=2&c=3'), { maxBodyBytes: 100, maxFields: 2 }),
    ).rejects.toBeInstanceOf(ValidationError);
  });
});

describe('text that is not UTF-8', () => {
  it('refuses raw bytes FF FE and percent-escaped %FF%FE with a 400, instead of storing "Kliniek\ufffd\ufffd"', async () => {
    const raw = Buffer.concat([Buffer.from('organisationName=Kliniek'), Buffer.from([0xff, 0xfe])]);
    await expect(parseForm(post('application/x-www-form-urlencoded', raw), limits)).rejects.toMatchObject({ httpStatus: 400, code: 'ValidationError' });
    await expect(parseForm(post('application/x-www-form-urlencoded', 'organisationName=Kliniek%FF%FE'), limits)).rejects.toBeInstanceOf(InvalidTextError);
    // A lone surrogate is not UTF-8 either.
    await expect(parseForm(post('application/x-www-form-urlencoded', 'a=%ED%A0%80'), limits)).rejects.toBeInstanceOf(InvalidTextError);
    const data = new FormData();
    data.append('organisationName', 'x');
    const { body, contentType } = await multipart(data);
    const broken = Buffer.from(body.toString('latin1').replace('\r\n\r\nx\r\n', '\r\n\r\nKliniek\xff\xfe\r\n'), 'latin1');
    await expect(parseForm(post(contentType, broken), limits)).rejects.toBeInstanceOf(InvalidTextError);
  });

  it('still reads every valid form: + as space, escapes, empty values, names without =', async () => {
    const form = await parseForm(post('application/x-www-form-urlencoded', 'a=Zorg+%26+Co&b=&c&d=%E2%82%AC+5&a=caf%C3%A9'), limits);
    expect(form.fields).toEqual({ a: ['Zorg & Co', 'café'], b: [''], c: [''], d: ['€ 5'] });
  });
});

describe('multipart forms', () => {
  it('collects fields and accepted files with name, type, size and bytes', async () => {
    const data = new FormData();
    data.append('reason', 'Wij stoppen – helaas');
    data.append('vog', new File([pdfBytes(2000)], 'C:\\Users\\jan\\vog.pdf', { type: 'application/pdf' }));
    const { body, contentType } = await multipart(data);
    const form = await parseForm(post(contentType, body), limits);
    expect(form.errors).toEqual({});
    expect(form.fields).toEqual({ reason: ['Wij stoppen – helaas'] });
    expect(form.files.vog).toHaveLength(1);
    const [vog] = form.files.vog;
    expect({ name: vog.name, type: vog.type, size: vog.size }).toEqual({ name: 'vog.pdf', type: 'application/pdf', size: 2000 });
    expect(Buffer.from(vog.bytes).subarray(0, 5).toString()).toBe('%PDF-');
  });

  it('reports a file too large and a file of the wrong type as field errors', async () => {
    const data = new FormData();
    data.append('vog', new File([pdfBytes(1 * MB + 1)], 'vog.pdf', { type: 'application/pdf' }));
    data.append('plan', new File(['MZ\x90\x00 not a pdf'], 'plan.pdf', { type: 'application/pdf' }));
    const { body, contentType } = await multipart(data);
    const form = await parseForm(post(contentType, body), limits);
    expect(form.errors).toEqual({
      vog: 'Het bestand is te groot. Het mag hoogstens 1 MB zijn.',
      plan: 'Kies een PDF-bestand.',
    });
    expect(form.files).toEqual({});
  });

  it('trusts content over the label, skips empty file inputs and drops unexpected files', async () => {
    const boundary = '----formgrens';
    const part = (headers: string, content: string) => `--${boundary}\r\n${headers}\r\n\r\n${content}\r\n`;
    const body = Buffer.from(
      part('Content-Disposition: form-data; name="vog"; filename="vog.pdf"\r\nContent-Type: application/octet-stream', '%PDF-1.4 x') +
        part('Content-Disposition: form-data; name="plan"; filename=""\r\nContent-Type: application/octet-stream', '') +
        part('Content-Disposition: form-data; name="other"; filename="x.pdf"\r\nContent-Type: application/pdf', '%PDF-1.4') +
        `--${boundary}--\r\n`,
    );
    const form = await parseForm(post(`multipart/form-data; boundary=${boundary}`, body), limits);
    expect(form.errors).toEqual({});
    expect(Object.keys(form.files)).toEqual(['vog']);
    expect(form.files.vog[0].type).toBe('application/pdf');
  });

  it('allows one file per field unless told otherwise', async () => {
    const data = new FormData();
    data.append('vog', new File([pdfBytes(10)], 'a.pdf', { type: 'application/pdf' }));
    data.append('vog', new File([pdfBytes(10)], 'b.pdf', { type: 'application/pdf' }));
    const { body, contentType } = await multipart(data);
    const form = await parseForm(post(contentType, body), limits);
    expect(form.errors).toEqual({ vog: 'Kies één bestand.' });
    expect(form.files).toEqual({});
  });

  it('refuses a body larger than the limit before parsing, and a broken body', async () => {
    const data = new FormData();
    data.append('vog', new File([pdfBytes(6 * MB)], 'vog.pdf', { type: 'application/pdf' }));
    const { body, contentType } = await multipart(data);
    await expect(parseForm(post(contentType, body), limits)).rejects.toBeInstanceOf(PayloadTooLargeError);
    await expect(parseForm(post('multipart/form-data; boundary=x', 'rommel'), limits)).rejects.toBeInstanceOf(ValidationError);
  });
});
