import { z } from 'zod';

/**
 * The question plan (BRIEF.md "Question plan"). Field names stay as the contract says.
 * `tz` is our extension: the zone whose calendar defines day/week/month buckets (UTC if absent).
 */
const instant = z
  .string()
  .refine((s) => /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)), {
    message: 'expected an ISO-8601 instant such as 2026-11-21T00:00:00Z',
  });

export const GRAINS = ['minute', 'hour', 'day', 'week', 'month'] as const;
export type Grain = (typeof GRAINS)[number];
export const COMPARES = ['previous_period', 'same_period_last_week', 'same_period_last_year'] as const;
export type Compare = (typeof COMPARES)[number];

export const planSchema = z.strictObject({
  metric: z.string().min(1),
  by: z.array(z.string().min(1)).default([]),
  filters: z.record(z.string().min(1), z.array(z.string().min(1)).min(1)).default({}),
  from: instant,
  to: instant,
  grain: z.enum(GRAINS).nullable().default(null),
  compare: z.enum(COMPARES).nullable().default(null),
  compare_from: instant.nullable().default(null),
  compare_to: instant.nullable().default(null),
  top: z.strictObject({ n: z.number().int().min(1).max(1000), order: z.enum(['asc', 'desc']) }).nullable().default(null),
  tz: z.string().optional(),
});

export type Plan = z.output<typeof planSchema>;
export type PlanInput = z.input<typeof planSchema>;
