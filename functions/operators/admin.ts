/**
 * The administrator's operations behind the operator API: create and start a
 * cycle, amend a date, import providers (inline, or from a presigned upload
 * for files too large for a request). The request schemas are shared by the
 * API and the CLI; the work is the cycle and provider services' own, so the
 * API and a local `inkoop` command do exactly the same.
 */
import { z } from 'zod';
import { buildTimeline } from '../calendar/timeline.ts';
import { parseCalendar } from '../calendar/validate.ts';
import type { Clock } from '../commons/clock.ts';
import { ValidationError } from '../commons/errors.ts';
import { amendMilestone, type Change } from '../cycles/amend.ts';
import { createCycle, startCycle } from '../cycles/create.ts';
import type { ExecutionStarter } from '../cycles/executions.ts';
import { inRunOrder } from '../milestones/loop.ts';
import { parseProviders } from '../providers/import.ts';
import { importProviders, type ImportReport } from '../providers/write.ts';
import type { Store } from '../store/index.ts';
import { UnavailableError } from './errors.ts';

/** Larger provider files go through a presigned upload (API Gateway and Lambda cap a request at a few MB). */
export const INLINE_IMPORT_MAX_BYTES = 256 * 1024;
/** The largest provider file an upload may carry (the presigned URL pins the exact length). */
export const IMPORT_UPLOAD_MAX_BYTES = 50 * 1024 * 1024;

const fileName = z.string().trim().min(1).max(200).regex(/^[^/\\\0]+$/, 'a file name without a folder');
const fileFormat = z.enum(['csv', 'json'], 'csv or json');

export const createCycleSchema = z.object({
  /** The calendar as JSON; validated exactly as a calendar file is. */
  calendar: z.unknown(),
  /** The calendar's file name, named in validation issues. */
  source: fileName.optional(),
});
export type CreateCycleInput = z.infer<typeof createCycleSchema>;

export const amendSchema = z.object({
  date: z.string().max(40).optional(),
  opens: z.string().max(40).optional(),
  closes: z.string().max(40).optional(),
  reason: z
    .string('a reason')
    .trim()
    .min(1, 'a reason: the regulator requires every change to a published calendar to be justified')
    .max(2000, 'a reason of at most 2000 characters'),
});
export type AmendRequest = z.infer<typeof amendSchema>;

export const importUploadSchema = z.object({ name: fileName, format: fileFormat, bytes: z.number().int().positive().max(IMPORT_UPLOAD_MAX_BYTES) });
export type ImportUploadRequest = z.infer<typeof importUploadSchema>;

export const importSchema = z
  .object({
    name: fileName,
    format: fileFormat,
    /** The file's text (small files). */
    text: z.string().max(INLINE_IMPORT_MAX_BYTES * 2).optional(),
    /** The key an import upload returned (large files). */
    upload: z.string().regex(/^imports\/[A-Za-z0-9._-]+$/, 'the key of an import upload').optional(),
    dryRun: z.boolean().optional(),
  })
  .refine((v) => (v.text === undefined) !== (v.upload === undefined), { message: 'exactly one of text and upload', path: ['text'] });
export type ImportRequest = z.infer<typeof importSchema>;

export interface CreatedCycleView {
  created: boolean;
  calendarDiffers: boolean;
  cycle: { id: string; status: string; careType: string; firstYear: number };
  steps: { total: number; first: { stepId: string; at: string } | null };
}

export interface StartedCycleView {
  cycleId: string;
  executionArn: string;
}

export interface AmendView {
  cycleId: string;
  milestoneId: string;
  amendment: number;
  changes: Change[];
  moved: { stepId: string; from: string; to: string; status: string }[];
  soon: string[];
  notified: number;
  resumed: boolean;
}

export type ImportView = ImportReport & { file: string };

export interface ImportUploadView {
  /** PUT the file here, with `headers`, before `expiresAt`. */
  url: string;
  headers: Record<string, string>;
  key: string;
  expiresAt: string;
}

/** Where large provider files wait between the upload and the import (S3 in AWS). */
export interface ImportFilesPort {
  presign(request: ImportUploadRequest): Promise<ImportUploadView>;
  /** The uploaded file's text; NotFound when nothing was uploaded under the key. */
  read(key: string): Promise<string>;
}

/** The administrator's operations; `by` is who acts, for the cycle's audit trail. */
export interface AdminPort {
  createCycle(input: CreateCycleInput): Promise<CreatedCycleView>;
  startCycle(cycleId: string): Promise<StartedCycleView>;
  amend(target: { cycleId: string; milestoneId: string }, input: AmendRequest, by: string): Promise<AmendView>;
  importUpload(request: ImportUploadRequest): Promise<ImportUploadView>;
  importProviders(request: ImportRequest): Promise<ImportView>;
}

export function adminPort(options: { store: Store; clock: Clock; starter?: ExecutionStarter; files?: ImportFilesPort }): AdminPort {
  const { store, clock, starter, files } = options;
  return {
    async createCycle(input) {
      const calendar = parseCalendar(input.calendar, input.source ?? 'request body');
      const result = await createCycle(store, calendar, clock);
      const first = inRunOrder(result.steps, buildTimeline(result.cycle.calendar).map((s) => s.stepId)).find((s) => s.status !== 'done');
      return {
        created: result.created,
        calendarDiffers: result.calendarDiffers,
        cycle: { id: result.cycle.id, status: result.cycle.status, careType: result.cycle.careType.name, firstYear: result.cycle.contract.firstYear },
        steps: { total: result.steps.length, first: first ? { stepId: first.stepId, at: first.at } : null },
      };
    },
    async startCycle(cycleId) {
      if (!starter) {
        throw new UnavailableError('No way to start an execution here: run the local runtime (inkoop rehearse / npm start), which starts its cycles itself');
      }
      const { executionArn } = await startCycle(store, starter, cycleId);
      return { cycleId, executionArn };
    },
    async amend(target, input, by) {
      const result = await amendMilestone(
        store,
        { ...target, newDate: input.date, newOpens: input.opens, newCloses: input.closes, reason: input.reason, actor: { kind: 'operator', id: by } },
        { clock },
      );
      return {
        ...target,
        amendment: result.audit.seq,
        changes: result.changes,
        moved: result.moved,
        soon: result.soon,
        notified: result.notified,
        resumed: result.resumed,
      };
    },
    importUpload(request) {
      if (!files) throw new UnavailableError('Uploads are only used against the deployed stack; import the file directly');
      return files.presign(request);
    },
    async importProviders(request) {
      let text = request.text;
      if (request.upload !== undefined) {
        if (!files) throw new UnavailableError('Uploads are only used against the deployed stack; import the file directly');
        text = await files.read(request.upload);
      }
      if (text === undefined) throw new ValidationError('Nothing to import', [{ path: 'body.text', message: 'missing' }]);
      const parsed = parseProviders(text, request.format, request.name);
      return { file: request.name, ...(await importProviders(store, parsed, { dryRun: request.dryRun })) };
    },
  };
}
