import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';

/**
 * The one request/response shape for AWS and local: API Gateway HTTP API
 * payload format 2.0. Header names arrive lower-case; duplicate headers and
 * query parameters are joined with commas. Bodies that are not text arrive
 * base64-encoded (`isBase64Encoded`), which includes form posts.
 */
export type HttpEvent = APIGatewayProxyEventV2;
/** Always the structured result, so status and headers are explicit. */
export type HttpResult = APIGatewayProxyStructuredResultV2;
export type HttpHandler = (event: HttpEvent) => Promise<HttpResult>;

export const header = (event: HttpEvent, name: string): string | undefined => {
  const lower = name.toLowerCase();
  const headers = event.headers ?? {};
  return headers[lower] ?? Object.entries(headers).find(([k]) => k.toLowerCase() === lower)?.[1];
};

export const method = (event: HttpEvent): string => event.requestContext.http.method.toUpperCase();

export function bodyBytes(event: HttpEvent): Buffer {
  if (event.body === undefined || event.body === null) return Buffer.alloc(0);
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64') : Buffer.from(event.body, 'utf8');
}

/** The media type without parameters, lower-case: "multipart/form-data". */
export const mediaType = (contentType: string | undefined): string =>
  (contentType ?? '').split(';')[0].trim().toLowerCase();

export function textResult(statusCode: number, text: string, headers: Record<string, string> = {}): HttpResult {
  return {
    statusCode,
    headers: { 'content-type': 'text/plain; charset=utf-8', 'cache-control': 'no-store', ...headers },
    body: text,
  };
}

/** 303 after a successful POST, so reloading the result page does not post again. */
export const seeOther = (location: string): HttpResult => ({
  statusCode: 303,
  headers: { location, 'cache-control': 'no-store' },
  body: '',
});
