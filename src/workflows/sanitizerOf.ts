import type { AxiosInstance } from 'axios';
import { instanceSanitizer } from '../attach.js';
import { defaultSanitizer, type Sanitizer } from '../observability/sanitizer.js';

/**
 * The sanitizer for the errors a workflow builds itself: the attached library's own (its `secrets` and
 * allowed query parameters), else the default one.
 */
export function sanitizerOf(instance: AxiosInstance): Sanitizer {
  return instanceSanitizer(instance) ?? defaultSanitizer;
}
